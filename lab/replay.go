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
	t := func(k string) string { return toolTexts[k].In(e.lang) }
	return &cli.Command{
		Name:        "replay",
		Usage:       t("replay-usage"),
		UsageText:   "lab replay [SESSION] [--group N] [--classroom FILE] [--data DIR] [--list] [--lang ja|en]   (lab replay pop3#17)",
		Description: t("replay-description"),
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "group", Aliases: []string{"g"}, Usage: texts["flag-user-group"].In(e.lang)},
			classroomFlag(e),
			dataRootFlag(e),
			&cli.BoolFlag{Name: "list", Aliases: []string{"l"}, Usage: t("flag-list")},
			langFlag(e),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usageError{texts["unexpected-args"].F(e.lang, strings.Join(c.Args().Slice()[1:], " "))}
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
						return failure{texts["not-in-classroom"].F(e.lang, o.group, cl.Path)}
					}
				}
			}
			if o.list && o.session != "" {
				return usageError{t("replay-list-or-session")}
			}
			return runReplay(e, o)
		},
	}
}

// runReplay shows one session of a group's journal with each line
// explained, or with o.list the list of its sessions.
func runReplay(e *env, o replayOptions) error {
	tt := func(k string, args ...any) string { return toolTexts[k].F(e.lang, args...) }
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
		return failure{tt("replay-no-sessions", n, path)}
	}
	if o.list {
		replay.WriteList(e.stdout, e.lang, sessions)
		return nil
	}
	s := sessions[len(sessions)-1]
	if o.session != "" {
		var matches int
		if s, matches = replay.Find(sessions, o.session); s == nil {
			return failure{tt("replay-no-such-session", o.session, n)}
		}
		if matches > 1 {
			fmt.Fprintln(e.stderr, tt("replay-ambiguous", o.session, matches, s.ID()))
		}
	}
	replay.WriteWith(e.stdout, replay.Options{Lang: e.lang, Color: o.color, HandGap: envHandGap(e)}, s, replay.Afterwards(events, s))
	return nil
}
