package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"maillab/exercises/i18n"
	"maillab/lab/console"
	"maillab/server/group"
)

// Default addresses of a group server run standalone (without a classroom).
const (
	defaultSMTPAddr = "127.0.0.1:2525"
	defaultPOP3Addr = "127.0.0.1:1110"
)

type startOptions struct {
	group    int
	dataRoot string
	smtpAddr string
	pop3Addr string
	quiet    bool
	color    bool
	// ready, when set, is called once the server listens (tests use it).
	ready func(*group.Server)
}

func newStartCommand(e *env) *cli.Command {
	t := func(k string) string { return texts[k].In(e.lang) }
	return &cli.Command{
		Name:      "start",
		Usage:     t("start-usage"),
		UsageText: "lab start --group N [--data DIR] [--smtp ADDR] [--pop3 ADDR] [--lang ja|en] [--quiet]",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "group", Aliases: []string{"g"}, Usage: t("flag-group")},
			dataRootFlag(e),
			&cli.StringFlag{Name: "smtp", Usage: t("flag-smtp"), Value: defaultSMTPAddr},
			&cli.StringFlag{Name: "pop3", Usage: t("flag-pop3"), Value: defaultPOP3Addr},
			langFlag(e),
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: t("flag-quiet")},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError{texts["unexpected-args"].F(e.lang, strings.Join(c.Args().Slice(), " "))}
			}
			n := c.Int("group")
			if n < 1 {
				return usageError{t("need-group")}
			}
			return runStart(c.Context, e, startOptions{
				group:    n,
				dataRoot: c.String("data"),
				smtpAddr: c.String("smtp"),
				pop3Addr: c.String("pop3"),
				quiet:    c.Bool("quiet"),
				color:    isTerminal(e.stdout) && e.getenv("NO_COLOR") == "" && e.getenv("TERM") != "dumb",
			})
		},
	}
}

// runStart runs one group's server until ctx ends (Ctrl-C), then shuts it
// down gracefully.
func runStart(ctx context.Context, e *env, o startOptions) error {
	data, err := group.OpenData(o.dataRoot, o.group, "")
	if err != nil {
		return err
	}
	srv, err := group.New(group.Config{Data: data, SMTPAddr: o.smtpAddr, POP3Addr: o.pop3Addr})
	if errors.Is(err, group.ErrLocked) {
		return failure{texts["data-locked"].F(e.lang, data.Dir, err)}
	}
	if err != nil {
		return err
	}
	made, err := srv.EnsureUsers()
	if err != nil {
		srv.Shutdown(ctx)
		return err
	}
	if err := srv.Start(); err != nil {
		srv.Shutdown(context.Background())
		var op *net.OpError
		if errors.As(err, &op) {
			return failure{texts["listen-failed"].F(e.lang, op.Addr, op.Err)}
		}
		return err
	}
	printBanner(e.stdout, e.lang, srv, made)
	if !o.quiet {
		con := console.New(e.stdout, e.lang, o.color)
		srv.Journal().Subscribe(con.Event)
	}
	if o.ready != nil {
		o.ready(srv)
	}
	<-ctx.Done()
	fmt.Fprintln(e.stderr, texts["stopping"].In(e.lang))
	sctx, cancel := context.WithTimeout(context.Background(), group.DefaultLimits.ShutdownGrace)
	defer cancel()
	return srv.Shutdown(sctx)
}

// printBanner tells the students what they are running and how to talk to it.
func printBanner(w io.Writer, l i18n.Lang, srv *group.Server, made []group.DefaultAccount) {
	t := func(k string, args ...any) string { return texts[k].F(l, args...) }
	d := srv.Data()
	smtpHost, smtpPort, _ := net.SplitHostPort(srv.SMTPAddr().String())
	popHost, popPort, _ := net.SplitHostPort(srv.POP3Addr().String())
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", t("banner-title", d.Group))
	fmt.Fprintf(&b, "  %-10s %s\n", t("banner-domain"), d.Domain)
	fmt.Fprintf(&b, "  %-10s %s   telnet %s %s\n", "SMTP", srv.SMTPAddr(), smtpHost, smtpPort)
	fmt.Fprintf(&b, "  %-10s %s   telnet %s %s\n", "POP3", srv.POP3Addr(), popHost, popPort)
	fmt.Fprintf(&b, "  %-10s %s\n", t("banner-data"), d.Dir)
	if accounts, err := d.Accounts.List(); err == nil {
		names := make([]string, len(accounts))
		for i, a := range accounts {
			names[i] = a.Name
		}
		fmt.Fprintf(&b, "  %-10s %s\n", t("banner-accounts"), strings.Join(names, ", "))
	}
	if len(made) > 0 {
		fmt.Fprintf(&b, "\n%s\n", t("banner-new-accounts"))
		for _, a := range made {
			fmt.Fprintf(&b, "    %-8s %s\n", a.Name, a.Password)
		}
	}
	fmt.Fprintf(&b, "\n%s\n", t("banner-apop", d.Domain, time.Now().Unix()))
	fmt.Fprintf(&b, "%s\n\n", t("banner-stop"))
	io.WriteString(w, b.String())
}
