package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"maillab/checker"
	"maillab/exercises"
	"maillab/lab/console"
	"maillab/server/classroom"
	"maillab/server/evidence"
	"maillab/server/group"
	"maillab/server/web"
)

// handGapFlag is --hand-gap: the by-hand threshold of the checks.
func handGapFlag(e *env) cli.Flag {
	return &cli.StringFlag{Name: "hand-gap", Usage: txtFlagHandGap.In(e.lang), DefaultText: "500ms"}
}

// handGap is --hand-gap, else $MAILLAB_HAND_GAP, else "" (the checker's
// default). It is checked here, so that a bad value is a usage error.
func handGap(e *env, c *cli.Context) (string, error) {
	s := c.String("hand-gap")
	if s == "" {
		s = e.getenv("MAILLAB_HAND_GAP")
	}
	if s == "" {
		return "", nil
	}
	if d, err := time.ParseDuration(s); err != nil || d < 0 {
		return "", usageError{txtBadHandGap.F(e.lang, s)}
	}
	return s, nil
}

// checkerGap turns a checked --hand-gap into the checker's option: "0s"
// means any pace.
func checkerGap(s string) time.Duration {
	if s == "" {
		return 0
	}
	d, _ := time.ParseDuration(s)
	if d == 0 {
		return checker.AnyPace
	}
	return d
}

// check collects the group's evidence — its own from the data root when
// its data is on this machine, else from its server; the peers' from their
// servers — and checks the exercises ids (nil: all).
func (g *guide) check(ctx context.Context, ids []string, gap string) checker.Report {
	col := checker.Collector{
		Classroom: g.classroom,
		DataRoot:  g.root,
		Local:     func(id int) bool { return id == g.group && g.hasData() },
		Client:    &web.Client{Timeout: 3 * time.Second},
	}
	ev := col.Collect(ctx, checker.Needs(g.classroom, g.group))
	return checker.Check(ev, g.group, checker.Options{HandGap: checkerGap(gap), Lang: g.e.lang, IDs: ids})
}

func newCheckCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     txtCheckUsage.In(e.lang),
		UsageText: "lab check [ID] --group N [--classroom FILE] [--data DIR] [--json] [--hand-gap D] [--lang ja|en]",
		Flags: guideFlags(e,
			&cli.BoolFlag{Name: "json", Usage: txtFlagJSON.In(e.lang)},
			handGapFlag(e),
		),
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usageError{txtUnexpectedArgs.F(e.lang, strings.Join(c.Args().Slice()[1:], " "))}
			}
			var ids []string
			if c.NArg() == 1 {
				id := c.Args().First()
				if _, ok := exercises.Lookup(id); !ok {
					return usageError{txtNoSuchExercise.F(e.lang, id, strings.Join(exercises.IDs(), ", "))}
				}
				ids = []string{id}
			}
			gap, err := handGap(e, c)
			if err != nil {
				return err
			}
			g, err := newGuide(e, c, true)
			if err != nil {
				return err
			}
			return runCheck(c.Context, g, ids, gap, c.Bool("json"))
		},
	}
}

// runCheck checks and reports; its exit code is that of the spec: 0 when
// the exercises checked all passed, 1 when one did not, 2 when one could
// not be checked (and none is known not to have passed).
func runCheck(ctx context.Context, g *guide, ids []string, gap string, asJSON bool) error {
	e, w := g.e, g.e.stdout
	r := g.check(ctx, ids, gap)
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		colored := useColor(e)
		fmt.Fprintf(w, "%s\n", txtCheckTitle.F(e.lang, g.group))
		done := 0
		for _, res := range r.Exercises {
			x, _ := exercises.Lookup(res.ID)
			if res.Passed {
				done++
			}
			fmt.Fprintf(w, "  %s %-13s %s\n      %s\n", mark(res.Status, colored), res.ID, x.Title.In(e.lang), res.Detail)
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, txtCheckSummary.F(e.lang, done, len(r.Exercises)))
		if r.Status() == checker.StatusUnknown {
			fmt.Fprintln(w, txtCheckUnknown.In(e.lang))
		}
		if ids == nil && r.Status() != checker.StatusPassed {
			if next, ok := exercises.Next(func(id string) bool { res, _ := r.Result(id); return res.Passed }); ok {
				fmt.Fprintln(w, txtExNext.F(e.lang, next.ID, next.ID, next.ID))
			}
		}
	}
	switch r.Status() {
	case checker.StatusNotPassed:
		return cli.Exit("", exitFailure)
	case checker.StatusUnknown:
		return cli.Exit("", exitCouldNotCheck)
	}
	return nil
}

// exitCouldNotCheck is lab check's exit code when a check could not decide.
const exitCouldNotCheck = 2

// envHandGap is $MAILLAB_HAND_GAP as the checker takes it: "0s" is any
// pace; unset or unreadable is the default.
func envHandGap(e *env) time.Duration {
	s := e.getenv("MAILLAB_HAND_GAP")
	if d, err := time.ParseDuration(s); err != nil || d < 0 {
		return 0
	}
	return checkerGap(s)
}

// accountNames are the names of a group's accounts, from its data folder
// (which the store rereads when another process changes it).
func accountNames(d *group.Data) []string {
	list, _ := d.Accounts.List()
	names := make([]string, len(list))
	for i, a := range list {
		names[i] = a.Name
	}
	return names
}

// newLiveGuide makes the live guide of `lab start` (one server) or `lab up`
// (every server of the class, lines named by group), to be subscribed to
// the servers' journals; it reads the servers' live evidence summaries,
// never their journals. Call its Greet after the banner.
func newLiveGuide(e *env, w io.Writer, c *classroom.Classroom, servers map[int]*group.Server, useColor bool) (*console.Guide, error) {
	o := console.GuideOptions{
		Classroom: c,
		HandGap:   envHandGap(e),
		Evidence:  map[int]*evidence.Tracker{},
		ShowGroup: len(servers) > 1,
		PollPeers: console.MinPollPeers,
		Accounts: func(id int) []string {
			if srv, ok := servers[id]; ok {
				return accountNames(srv.Data())
			}
			return nil
		},
	}
	for id, srv := range servers {
		o.Groups = append(o.Groups, id)
		o.Evidence[id] = srv.Evidence()
	}
	slices.Sort(o.Groups)
	return console.NewGuide(w, e.lang, useColor, o), nil
}

// startWeb starts the read-only web API of a started group server on addr,
// where the other groups' `lab check` reads its evidence.
func startWeb(e *env, srv *group.Server, addr string) (*web.Server, error) {
	w, err := web.Start(addr, web.Config{
		Data:         &srv.Data().Folder,
		Evidence:     srv.Evidence(),
		Listen:       web.Listen{SMTP: srv.SMTPAddr().String(), POP3: srv.POP3Addr().String()},
		JournalError: srv.Journal().WriteError,
		MaskCommand:  group.MaskCommand,
		ErrorLog:     srv.ErrorLog(),
	})
	if err != nil {
		return nil, failure{txtWebListenFailed.F(e.lang, addr, err)}
	}
	return w, nil
}
