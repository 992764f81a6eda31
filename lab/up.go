package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"maillab/exercises/i18n"
	"maillab/lab/console"
	"maillab/server/account"
	"maillab/server/classroom"
	"maillab/server/group"
	"maillab/server/journal"
	"maillab/server/web"
)

type upOptions struct {
	classroom string
	dataRoot  string
	quiet     bool
	color     bool
	maxConns  int // 0: the classroom's, else the default
	ready     func(map[int]*group.Server)
}

func newUpCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "up",
		Usage:     txtUpUsage.In(e.lang),
		UsageText: "lab up --classroom FILE [--data DIR] [--lang ja|en] [--max-conns N] [--quiet]",
		Flags: []cli.Flag{
			classroomFlag(e),
			dataRootFlag(e),
			langFlag(e),
			maxConnsFlag(e),
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: txtFlagQuiet.In(e.lang)},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError{txtUnexpectedArgs.F(e.lang, strings.Join(c.Args().Slice(), " "))}
			}
			if classroomPath(e, c) == "" {
				return usageError{txtNeedClassroom.In(e.lang)}
			}
			if c.Int("max-conns") < 0 {
				return usageError{txtBadMaxConns.In(e.lang)}
			}
			return runUp(c.Context, e, upOptions{
				classroom: classroomPath(e, c),
				dataRoot:  c.String("data"),
				quiet:     c.Bool("quiet"),
				color:     useColor(e),
				maxConns:  c.Int("max-conns"),
			})
		},
	}
}

// runUp runs every group of the classroom in this process, each in its own
// data folder and on its own host address, with one console whose lines
// name their group — for rehearsals, online classes and tests.
func runUp(ctx context.Context, e *env, o upOptions) error {
	c, err := loadClassroom(e, o.classroom)
	if err != nil {
		return err
	}
	servers := map[int]*group.Server{}
	webs := map[int]*web.Server{}
	shutdown := func() {
		sctx, cancel := context.WithTimeout(context.Background(), group.DefaultLimits.ShutdownGrace)
		defer cancel()
		var wg sync.WaitGroup
		for id, srv := range servers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if w := webs[id]; w != nil {
					w.Shutdown(sctx)
				}
				srv.Shutdown(sctx)
			}()
		}
		wg.Wait()
	}
	// every group's accounts, to explain a login with another group's user
	stores := map[int]*account.Store{}
	for _, g := range c.Groups {
		stores[g.ID] = account.Open(group.DirFor(o.dataRoot, g.ID))
	}
	made := map[int][]group.DefaultAccount{}
	for _, g := range c.Groups {
		self := g.ID
		elsewhere := func(name string) int {
			for _, other := range c.Groups {
				if other.ID == self {
					continue
				}
				if _, err := stores[other.ID].Lookup(name); err == nil {
					return other.ID
				}
			}
			return 0
		}
		srv, err := openGroup(e, o.dataRoot, c, g.ID, "", "", o.maxConns, elsewhere)
		if err != nil {
			shutdown()
			return err
		}
		servers[g.ID] = srv
		if made[g.ID], err = startGroup(e, srv); err != nil {
			shutdown()
			return err
		}
		if webs[g.ID], err = startWeb(e, srv, g.WebAddr()); err != nil {
			shutdown()
			return err
		}
	}
	var guide *console.Guide
	out := io.Writer(e.stdout)
	if !o.quiet {
		term := console.NewOutput(e.stdout)
		out = term
		con := console.New(term, e.lang, o.color)
		con.Classroom, con.HandGap = c, envHandGap(e)
		con.ShowGroup = true
		if guide, err = newLiveGuide(e, term, c, servers, o.color); err != nil {
			shutdown()
			return err
		}
		// one queue per group for both (see runStart); the console and
		// the guide are safe for the groups' goroutines at once
		for _, srv := range servers {
			srv.Journal().SubscribeBatches(console.Together(con.Event, journal.OnlyRecorded(guide.Event)), term.Batch)
		}
	}
	printClassBanner(out, e.lang, c, o.dataRoot, servers, made)
	if guide != nil {
		guide.Greet()
	}
	if o.ready != nil {
		o.ready(servers)
	}
	<-ctx.Done()
	fmt.Fprintln(e.stderr, txtStopping.In(e.lang))
	shutdown()
	return nil
}

func printClassBanner(w io.Writer, l i18n.Lang, c *classroom.Classroom, root string, servers map[int]*group.Server, made map[int][]group.DefaultAccount) {
	var b strings.Builder
	name := c.Name
	if name == "" {
		name = c.Path
	}
	fmt.Fprintf(&b, "%s\n", txtUpTitle.F(l, name, len(c.Groups)))
	fmt.Fprintf(&b, "  %s %s\n\n", txtBannerData.In(l), root)
	fmt.Fprintf(&b, "  %s %s %-21s %-21s %-21s %s\n", padWidth(txtColGroup.In(l), 8), padWidth(txtBannerDomain.In(l), 16), "SMTP", "POP3", "web API", txtColCluster.In(l))
	for _, g := range c.Groups {
		var cl []string
		for _, id := range c.Cluster(g.ID) {
			cl = append(cl, fmt.Sprint(id))
		}
		srv := servers[g.ID]
		fmt.Fprintf(&b, "  %-8d %-16s %-21s %-21s %-21s %s\n", g.ID, c.GroupDomain(g.ID), srv.SMTPAddr(), srv.POP3Addr(), g.WebAddr(), strings.Join(cl, "-"))
	}
	b.WriteString(classTLSBanner(l, c, servers))
	var any bool
	for _, g := range c.Groups {
		if len(made[g.ID]) == 0 {
			continue
		}
		if !any {
			fmt.Fprintf(&b, "\n%s\n", txtBannerNewAccounts.In(l))
			any = true
		}
		var acc []string
		for _, a := range made[g.ID] {
			acc = append(acc, a.Name+" "+a.Password)
		}
		fmt.Fprintf(&b, "  g%-4d %s\n", g.ID, strings.Join(acc, "   "))
	}
	if len(c.Groups) > 0 {
		g := c.Groups[0]
		fmt.Fprintf(&b, "\n%s", txtUpBind.F(l, g.ID, g.Host, g.Host, g.POP3, g.Host, g.Host, g.POP3))
	}
	fmt.Fprintf(&b, "\n%s\n\n", txtBannerStop.In(l))
	io.WriteString(w, b.String())
}
