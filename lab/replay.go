package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"maillab/lab/console"
	"maillab/lab/replay"
	"maillab/server/group"
	"maillab/server/journal"
)

// replayOptions are the settings of `lab replay`.
type replayOptions struct {
	root    string // the data root
	group   int    // 0: the one group under root
	session string // full id, "pop3#17", "#17" or "17"; "" for the latest
	list    bool
	color   bool
}

func newReplayCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "replay",
		Usage:       txtReplayUsage.In(e.lang),
		UsageText:   "lab replay [SESSION] [--group N] [--classroom FILE] [--data DIR] [--list] [--lang ja|en]   (lab replay pop3#17)",
		Description: txtReplayDescription.In(e.lang),
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "group", Aliases: []string{"g"}, Usage: txtFlagUserGroup.In(e.lang)},
			classroomFlag(e),
			dataRootFlag(e),
			&cli.BoolFlag{Name: "list", Aliases: []string{"l"}, Usage: txtFlagList.In(e.lang)},
			langFlag(e),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usageError{txtUnexpectedArgs.F(e.lang, strings.Join(c.Args().Slice()[1:], " "))}
			}
			o := replayOptions{
				root:    c.String("data"),
				group:   c.Int("group"),
				session: c.Args().First(),
				list:    c.Bool("list"),
				color:   useColor(e),
			}
			if path := classroomPath(e, c); path != "" {
				cl, err := loadClassroom(e, path) // its mistakes are said; its data is the default root
				if err != nil {
					return err
				}
				if o.group != 0 {
					if _, ok := cl.Group(o.group); !ok {
						return failure{txtNotInClassroom.F(e.lang, o.group, cl.Path)}
					}
				}
			}
			if o.list && o.session != "" {
				return usageError{txtReplayListOrSession.In(e.lang)}
			}
			return runReplay(e, o)
		},
	}
}

// runReplay shows one session of a group's journal with each line
// explained, or with o.list the list of its sessions.
func runReplay(e *env, o replayOptions) error {
	n, err := pickGroup(e, o.root, o.group)
	if err != nil {
		return err
	}
	path := filepath.Join(group.DirFor(o.root, n), journal.FileName)
	events, err := journal.ReadDirAll(filepath.Dir(path)) // every segment, oldest first
	if err != nil {
		return err
	}
	for i := range events { // nothing from the network steers the terminal
		events[i] = console.PrintableEvent(events[i])
	}
	sessions := replay.Sessions(events)
	if len(sessions) == 0 {
		return failure{txtReplayNoSessions.F(e.lang, n, path)}
	}
	if o.list {
		replay.WriteList(e.stdout, e.lang, sessions)
		return nil
	}
	s := sessions[len(sessions)-1]
	if o.session != "" {
		var matches int
		if s, matches = replay.Find(sessions, o.session); s == nil {
			return failure{txtReplayNoSuchSession.F(e.lang, o.session, n)}
		}
		if matches > 1 {
			fmt.Fprintln(e.stderr, txtReplayAmbiguous.F(e.lang, o.session, matches, s.ID()))
		}
	}
	replay.WriteWith(e.stdout, replay.Options{Lang: e.lang, Color: o.color, HandGap: envHandGap(e)}, s, replay.Afterwards(events, s))
	return nil
}
