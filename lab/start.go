package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"maillab/exercises/i18n"
	"maillab/lab/console"
	"maillab/lab/terminal"
	"maillab/server/classroom"
	"maillab/server/group"
	"maillab/server/journal"
	"maillab/server/web"
)

// Default addresses of a group server run standalone (without a classroom).
const (
	defaultSMTPAddr = "127.0.0.1:2525"
	defaultPOP3Addr = "127.0.0.1:1110"
	defaultWebAddr  = "127.0.0.1:8025"
)

type startOptions struct {
	group     int
	dataRoot  string
	classroom string // the classroom file, "" when standalone
	smtpAddr  string // "" takes the classroom's or the default
	pop3Addr  string
	webAddr   string
	quiet     bool
	color     bool
	maxConns  int // 0: the classroom's, else the default
	// ready, when set, is called once the server listens (tests use it).
	ready func(*group.Server)
}

func newStartCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "start",
		Usage:     txtStartUsage.In(e.lang),
		UsageText: "lab start --group N [--classroom FILE] [--data DIR] [--smtp ADDR] [--pop3 ADDR] [--web ADDR] [--lang ja|en] [--max-conns N] [--quiet]",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "group", Aliases: []string{"g"}, Usage: txtFlagGroup.In(e.lang)},
			classroomFlag(e),
			dataRootFlag(e),
			&cli.StringFlag{Name: "smtp", Usage: txtFlagSMTP.In(e.lang), DefaultText: defaultSMTPAddr},
			&cli.StringFlag{Name: "pop3", Usage: txtFlagPOP3.In(e.lang), DefaultText: defaultPOP3Addr},
			&cli.StringFlag{Name: "web", Usage: txtFlagWeb.In(e.lang), DefaultText: defaultWebAddr},
			langFlag(e),
			maxConnsFlag(e),
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: txtFlagQuiet.In(e.lang)},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError{txtUnexpectedArgs.F(e.lang, strings.Join(c.Args().Slice(), " "))}
			}
			if c.Int("max-conns") < 0 {
				return usageError{txtBadMaxConns.In(e.lang)}
			}
			n := c.Int("group")
			if n < 1 {
				return usageError{txtNeedGroup.In(e.lang)}
			}
			return runStart(c.Context, e, startOptions{
				group:     n,
				dataRoot:  c.String("data"),
				classroom: classroomPath(e, c),
				smtpAddr:  c.String("smtp"),
				pop3Addr:  c.String("pop3"),
				webAddr:   c.String("web"),
				quiet:     c.Bool("quiet"),
				color:     useColor(e),
				maxConns:  c.Int("max-conns"),
			})
		},
	}
}

// maxConnsFlag is --max-conns of lab start and lab up.
func maxConnsFlag(e *env) *cli.IntFlag {
	return &cli.IntFlag{Name: "max-conns", Usage: txtFlagMaxConns.In(e.lang), DefaultText: strconv.Itoa(group.DefaultLimits.Conns)}
}

func classroomFlag(e *env) *cli.StringFlag {
	return &cli.StringFlag{Name: "classroom", Aliases: []string{"c"}, Usage: txtFlagClassroom.In(e.lang)}
}

func useColor(e *env) bool {
	return terminal.ColorWanted(e.stdout, e.getenv)
}

// classSettings are the classroom file's keys that every command follows
// when its own flags say nothing: the class's language and data root.
type classSettings struct {
	Path string
	Lang string
	Data string // made absolute, from the classroom file's folder
}

// classroomArg is the classroom file of the command line (--classroom,
// -c), else $MAILLAB_CLASSROOM.
func classroomArg(args []string, getenv func(string) string) string {
	for i, a := range args {
		for _, name := range []string{"--classroom", "-classroom", "-c"} {
			if v, ok := strings.CutPrefix(a, name+"="); ok {
				return v
			}
			if a == name && i+1 < len(args) {
				return args[i+1]
			}
		}
	}
	return getenv("MAILLAB_CLASSROOM")
}

// classSettingsOf reads the settings of the classroom file the command
// line names, if any (a file that cannot be read sets nothing: the command
// that loads it says why).
func classSettingsOf(args []string, getenv func(string) string) classSettings {
	path := classroomArg(args, getenv)
	if path == "" {
		return classSettings{}
	}
	c, err := classroom.Load(path)
	if err != nil {
		return classSettings{} // the command that loads it says why
	}
	return classSettings{Path: path, Lang: c.Lang, Data: c.DataRoot()}
}

// classroomPath is the classroom file of a command: --classroom, else
// $MAILLAB_CLASSROOM.
func classroomPath(e *env, c *cli.Context) string {
	if p := c.String("classroom"); p != "" {
		return p
	}
	return e.getenv("MAILLAB_CLASSROOM")
}

// loadClassroom reads the classroom file; its mistakes are the user's to
// fix (exit 1), with the line named.
func loadClassroom(e *env, path string) (*classroom.Classroom, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, failure{txtClassroomUnreadable.F(e.lang, path, err)}
	}
	c, err := classroom.Parse(path, b)
	if err != nil {
		return nil, failure{txtClassroomBad.F(e.lang, err)}
	}
	return c, nil
}

// classroomFile is where lab start notes the classroom file in the
// group's data folder, so that the guided commands find it by themselves.
const classroomFile = "classroom-file"

// noteClassroom writes the classroom file's absolute path into the group's
// data folder (best effort: the note only saves typing --classroom).
func noteClassroom(dir, path string) {
	if abs, err := filepath.Abs(path); err == nil {
		_ = os.WriteFile(filepath.Join(dir, classroomFile), []byte(abs+"\n"), 0o644)
	}
}

// notedClassroom is the classroom file lab start noted in a group's data
// folder, if it is still there.
func notedClassroom(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, classroomFile))
	if err != nil {
		return ""
	}
	p := strings.TrimSpace(string(b))
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// openGroup prepares group n's server: its data folder under root, and
// where it listens — the flags' addresses, else the classroom's, else the
// standalone defaults on loopback.
func openGroup(e *env, root string, c *classroom.Classroom, n int, smtpAddr, pop3Addr string, maxConns int, elsewhere func(string) int) (*group.Server, error) {
	domain := ""
	if c != nil {
		g, ok := c.Group(n)
		if !ok {
			return nil, failure{txtNotInClassroom.F(e.lang, n, c.Path)}
		}
		domain = c.GroupDomain(n)
		smtpAddr = cmp.Or(smtpAddr, g.SMTPAddr())
		pop3Addr = cmp.Or(pop3Addr, g.POP3Addr())
	}
	data, err := group.OpenData(root, n, domain)
	if err != nil {
		return nil, err
	}
	if c != nil {
		noteClassroom(data.Dir, c.Path)
	}
	cfg := group.Config{
		Data:          data,
		SMTPAddr:      cmp.Or(smtpAddr, defaultSMTPAddr),
		POP3Addr:      cmp.Or(pop3Addr, defaultPOP3Addr),
		Classroom:     c,
		UserElsewhere: elsewhere,
		ErrorOutput:   e.stderr, // and server.log in the group's folder
	}
	if cfg.TLS, cfg.TLSRoots, err = groupTLS(e, c, data, cfg.SMTPAddr); err != nil {
		return nil, err
	}
	if maxConns == 0 && c != nil {
		maxConns = c.MaxConns // the classroom's, unless the flag says otherwise
	}
	cfg.Limits.Conns = maxConns // 0: the default
	if d, err := time.ParseDuration(e.getenv("MAILLAB_RELAY_RETRY")); err == nil && d > 0 {
		cfg.Relay.MinRetry, cfg.Relay.MaxRetry = d, 4*d
	}
	srv, err := group.New(cfg)
	if errors.Is(err, group.ErrLocked) {
		return nil, failure{txtDataLocked.F(e.lang, data.Dir, err)}
	}
	return srv, err
}

// startGroup makes the default accounts if there are none and makes the
// server listen.
func startGroup(e *env, srv *group.Server) ([]group.DefaultAccount, error) {
	made, err := srv.EnsureUsers()
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			return nil, failure{txtListenFailed.F(e.lang, op.Addr, op.Err)}
		}
		return nil, err
	}
	return made, nil
}

// runStart runs one group's server until ctx ends (Ctrl-C), then shuts it
// down gracefully.
func runStart(ctx context.Context, e *env, o startOptions) error {
	var c *classroom.Classroom
	if o.classroom != "" {
		var err error
		if c, err = loadClassroom(e, o.classroom); err != nil {
			return err
		}
	}
	var peers *peerUsers
	if c != nil {
		peers = newPeerUsers(c, o.group)
		defer peers.stop()
	}
	srv, err := openGroup(e, o.dataRoot, c, o.group, o.smtpAddr, o.pop3Addr, o.maxConns, peers.lookup)
	if err != nil {
		return err
	}
	made, err := startGroup(e, srv)
	if err != nil {
		srv.Shutdown(context.Background())
		return err
	}
	webAddr := o.webAddr
	if webAddr == "" && c != nil {
		g, _ := c.Group(o.group)
		webAddr = g.WebAddr()
	}
	w, err := startWeb(e, srv, cmp.Or(webAddr, defaultWebAddr))
	if err != nil {
		srv.Shutdown(context.Background())
		return err
	}
	var guide *console.Guide
	out := io.Writer(e.stdout)
	if !o.quiet {
		term := console.NewOutput(e.stdout)
		out = term
		con := console.New(term, e.lang, o.color)
		con.Classroom, con.HandGap = c, envHandGap(e)
		if guide, err = newLiveGuide(e, term, c, map[int]*group.Server{o.group: srv}, o.color); err != nil {
			w.Shutdown(context.Background())
			srv.Shutdown(context.Background())
			return err
		}
		// one queue for both, on its own goroutine: a terminal that stops
		// reading costs the servers nothing, and the guide's lines stay
		// after the console's; a batch of events is one write
		srv.Journal().SubscribeBatches(console.Together(con.Event, journal.OnlyRecorded(guide.Event)), term.Batch)
	}
	printBanner(out, e.lang, srv, c, made, w.Addr())
	if guide != nil {
		guide.Greet()
		go guide.Watch(ctx) // the peers' evidence, for cross-send
	}
	if o.ready != nil {
		o.ready(srv)
	}
	<-ctx.Done()
	fmt.Fprintln(e.stderr, txtStopping.In(e.lang))
	sctx, cancel := context.WithTimeout(context.Background(), group.DefaultLimits.ShutdownGrace)
	defer cancel()
	w.Shutdown(sctx)
	return srv.Shutdown(sctx)
}

// printBanner tells the students what they are running and how to talk to it.
func printBanner(w io.Writer, l i18n.Lang, srv *group.Server, c *classroom.Classroom, made []group.DefaultAccount, web net.Addr) {
	d := srv.Data()
	smtpHost, smtpPort, _ := net.SplitHostPort(srv.SMTPAddr().String())
	popHost, popPort, _ := net.SplitHostPort(srv.POP3Addr().String())
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", txtBannerTitle.F(l, d.Group))
	fmt.Fprintf(&b, "  %-10s %s\n", txtBannerDomain.In(l), d.Domain)
	fmt.Fprintf(&b, "  %-10s %s   telnet %s %s\n", "SMTP", srv.SMTPAddr(), smtpHost, smtpPort)
	fmt.Fprintf(&b, "  %-10s %s   telnet %s %s\n", "POP3", srv.POP3Addr(), popHost, popPort)
	fmt.Fprintf(&b, "  %-10s %s   curl http://%s/api/status\n", "web API", web, web)
	fmt.Fprintf(&b, "  %-10s %s\n", txtBannerData.In(l), d.Dir)
	b.WriteString(tlsBanner(l, srv, c))
	if c != nil {
		var peers []string
		for _, p := range c.Peers(d.Group) {
			g, _ := c.Group(p)
			peers = append(peers, fmt.Sprintf("%s (SMTP %s, POP3 %s)", c.GroupDomain(p), g.SMTPAddr(), g.POP3Addr()))
		}
		if len(peers) == 0 {
			peers = []string{txtBannerNoPeers.In(l)}
		}
		fmt.Fprintf(&b, "  %-10s %s\n", txtBannerClassroom.In(l), c.Path)
		fmt.Fprintf(&b, "  %-10s %s\n", txtBannerPeers.In(l), strings.Join(peers, "\n             "))
	}
	if accounts, err := d.Accounts.List(); err == nil {
		names := make([]string, len(accounts))
		for i, a := range accounts {
			names[i] = a.Name
		}
		fmt.Fprintf(&b, "  %-10s %s\n", txtBannerAccounts.In(l), strings.Join(names, ", "))
	}
	if len(made) > 0 {
		fmt.Fprintf(&b, "\n%s\n", txtBannerNewAccounts.In(l))
		for _, a := range made {
			fmt.Fprintf(&b, "    %-8s %s\n", a.Name, a.Password)
		}
	}
	fmt.Fprintf(&b, "\n%s\n", txtBannerAPOP.F(l, d.Domain, time.Now().Unix()))
	fmt.Fprintf(&b, "%s\n\n", txtBannerStop.In(l))
	io.WriteString(w, b.String())
}

// peerUsers knows the account names of the other groups of the classroom,
// read now and then from their servers' web APIs, so that a login with
// another group's user name can be explained at once (no lookup waits for
// the network).
type peerUsers struct {
	mu    sync.Mutex
	users map[string]int // name → group
	done  chan struct{}
}

func newPeerUsers(c *classroom.Classroom, self int) *peerUsers {
	p := &peerUsers{users: map[string]int{}, done: make(chan struct{})}
	go func() {
		client := &web.Client{Timeout: 2 * time.Second}
		for {
			found := map[string]int{}
			for _, g := range c.Groups {
				if g.ID == self {
					continue
				}
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				st, err := client.Status(ctx, g.WebAddr())
				cancel()
				if err != nil {
					continue
				}
				for _, name := range st.Accounts {
					found[name] = g.ID
				}
			}
			p.mu.Lock()
			p.users = found
			p.mu.Unlock()
			select {
			case <-p.done:
				return
			case <-time.After(30 * time.Second):
			}
		}
	}()
	return p
}

// lookup is a group.Config.UserElsewhere; a nil peerUsers knows no one.
func (p *peerUsers) lookup(name string) int {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.users[name]
}

func (p *peerUsers) stop() { close(p.done) }
