package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fatih/color"
	"github.com/urfave/cli/v2"

	"maillab/exercises/i18n"
	"maillab/lab/terminal"
	"maillab/server/account"
	"maillab/server/evidence"
	"maillab/server/web"
)

// doctorOptions are what lab doctor takes from the world; tests replace
// them.
type doctorOptions struct {
	lookPath func(string) (string, error)
	now      func() time.Time
	timeout  time.Duration // for each probe
}

// clockSkew is how far two machines' clocks may be apart before lab
// doctor calls it a problem.
const clockSkew = time.Minute

func newDoctorCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "doctor",
		Usage:     txtDoctorUsage.In(e.lang),
		UsageText: "lab doctor [--group N] [--classroom FILE] [--data DIR] [--lang ja|en]",
		Flags:     guideFlags(e),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError{txtUnexpectedArgs.F(e.lang, strings.Join(c.Args().Slice(), " "))}
			}
			g, err := newGuide(e, c, false)
			if err != nil {
				return err
			}
			return runDoctor(c.Context, g, doctorOptions{lookPath: exec.LookPath, now: time.Now, timeout: 2 * time.Second})
		},
	}
}

// finding levels
type level int

const (
	levelOK   level = iota
	levelInfo       // worth knowing, nothing to fix
	levelWarn       // something is missing that the lab can do without
	levelFail       // a problem to fix
)

type finding struct {
	level level
	text  string
}

// doctor gathers findings.
type doctor struct {
	g        *guide
	o        doctorOptions
	findings []finding
}

func (d *doctor) add(l level, t i18n.Text, args ...any) {
	d.findings = append(d.findings, finding{l, t.F(d.g.e.lang, args...)})
}

func runDoctor(ctx context.Context, g *guide, o doctorOptions) error {
	e, w := g.e, g.e.stdout
	d := &doctor{g: g, o: o}
	if g.group != 0 {
		fmt.Fprintln(w, txtDoctorTitle.F(e.lang, g.group, g.domain()))
	} else {
		fmt.Fprintln(w, txtDoctorTitleNone.In(e.lang))
	}
	d.tools()
	if g.group == 0 {
		d.add(levelInfo, txtDoctorNoGroup, txtVarGroupArg.In(e.lang))
		d.clock(ctx, nil)
	} else {
		d.data()
		d.own(ctx)
		d.clock(ctx, d.peers(ctx))
	}
	on := useColor(e)
	marks := map[level]*color.Color{
		levelOK: terminal.Color(on, color.FgGreen), levelInfo: terminal.Color(on, color.Faint),
		levelWarn: terminal.Color(on, color.FgYellow), levelFail: terminal.Color(on, color.FgRed),
	}
	symbols := map[level]string{levelOK: "✓", levelInfo: "·", levelWarn: "!", levelFail: "✗"}
	problems := 0
	for _, f := range d.findings {
		c := marks[f.level]
		fmt.Fprintf(w, "  %s %s\n", c.Sprint(symbols[f.level]), f.text)
		if f.level == levelFail {
			problems++
		}
	}
	fmt.Fprintln(w)
	if problems == 0 {
		fmt.Fprintln(w, txtDoctorNoProblems.In(e.lang))
		return nil
	}
	fmt.Fprintln(w, txtDoctorProblems.F(e.lang, problems))
	return cli.Exit("", exitFailure)
}

// tools: telnet, nc and md5sum.
func (d *doctor) tools() {
	for _, tool := range []struct {
		names   []string
		missing i18n.Text
	}{
		{[]string{"telnet"}, txtDoctorNoTelnet},
		{[]string{"nc", "ncat", "netcat"}, txtDoctorNoNc},
		{[]string{"md5sum"}, txtDoctorNoMd5sum},
	} {
		found := false
		for _, n := range tool.names {
			if p, err := d.o.lookPath(n); err == nil {
				d.add(levelOK, txtDoctorToolOk, n, p)
				found = true
				break
			}
		}
		if !found && tool.names[0] == "telnet" {
			d.add(levelWarn, tool.missing, d.g.vars()["pop3"])
		} else if !found {
			d.add(levelWarn, tool.missing)
		}
	}
}

// data: the group's folder on this machine.
func (d *doctor) data() {
	g := d.g
	if !g.hasData() {
		d.add(levelInfo, txtDoctorNoData, g.group, g.dataDir(), g.startCommand())
		return
	}
	list, _ := account.Open(g.dataDir()).List()
	d.add(levelOK, txtDoctorData, g.group, g.dataDir(), len(list))
}

// service is one server to probe.
type service struct {
	name string // "SMTP", "POP3", "web"
	addr string
}

// greetingDomain is the domain a maillab greeting names.
var (
	smtpGreeting = regexp.MustCompile(`^220 (\S+) ESMTP maillab`)
	pop3Greeting = regexp.MustCompile(`^\+OK maillab POP3 server ready <[^@>]+@([^>]+)>`)
)

// probe says who answers at a service: the group whose server it is (0
// for none), what it said when it is not maillab, or why nothing answered.
func (d *doctor) probe(ctx context.Context, s service) (group int, other string, err error) {
	if s.name == "web" {
		st, err := (&web.Client{Timeout: d.o.timeout}).Status(ctx, s.addr)
		if errors.Is(err, web.ErrUnreachable) {
			return 0, "", err
		}
		if err != nil {
			return 0, err.Error(), nil
		}
		return st.Group, "", nil
	}
	c, err := net.DialTimeout("tcp", s.addr, d.o.timeout)
	if err != nil {
		return 0, "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(d.o.timeout))
	line, _ := bufio.NewReader(c).ReadString('\n')
	// The name marks the session as the instructor's probe, not a
	// student's: the console shows it as one dimmed line.
	if s.name == "POP3" {
		c.Write([]byte("USER " + doctorProbeName + "\r\nQUIT\r\n"))
	} else {
		c.Write([]byte("HELO " + doctorProbeName + "\r\nQUIT\r\n"))
	}
	line = strings.TrimRight(line, "\r\n")
	re := smtpGreeting
	if s.name == "POP3" {
		re = pop3Greeting
	}
	m := re.FindStringSubmatch(line)
	if m == nil {
		if line == "" {
			line = "no greeting"
		}
		return 0, line, nil
	}
	return groupOfDomain(m[1]), "", nil
}

// doctorProbeName is the name lab doctor gives its sessions (USER, HELO):
// a probe's name (the prefix and 8 hex digits), which the servers keep in
// their journals and the consoles show as the instructor's.
const doctorProbeName = evidence.ProbeUserPrefix + "d0c7d0c7"

var groupDomain = regexp.MustCompile(`^g([0-9]+)\.`)

func groupOfDomain(domain string) int {
	m := groupDomain.FindStringSubmatch(strings.ToLower(domain))
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// own: the group's own servers, running or free to start.
func (d *doctor) own(ctx context.Context) {
	g := d.g
	smtp, pop3 := g.addresses()
	services := []service{{"SMTP", smtp}, {"POP3", pop3}}
	if g.classroom != nil {
		if cg, ok := g.classroom.Group(g.group); ok {
			services = append(services, service{"web", cg.WebAddr()})
		}
	}
	for _, s := range services {
		who, other, err := d.probe(ctx, s)
		switch {
		case err == nil && other == "" && who == g.group:
			d.add(levelOK, txtDoctorOwnRunning, s.name, s.addr)
		case err == nil && other == "" && who != 0:
			d.add(levelFail, txtDoctorOwnOtherGroup, s.name, s.addr, who)
		case err == nil:
			d.add(levelFail, txtDoctorOwnTaken, s.name, s.addr, other)
		default:
			ln, lerr := net.Listen("tcp", s.addr)
			switch {
			case lerr != nil:
				d.add(levelFail, txtDoctorOwnCannot, s.name, s.addr, lerr, g.group)
			case s.name == "web":
				ln.Close()
				d.add(levelWarn, txtDoctorWebOff, s.addr)
			default:
				ln.Close()
				d.add(levelInfo, txtDoctorOwnFree, s.name, s.addr, g.startCommand())
			}
		}
	}
}

// peers: the other groups of the cluster, all at once, reported in
// order. It returns the web addresses that answered, for the clock.
func (d *doctor) peers(ctx context.Context) map[int]string {
	c := d.g.classroom
	answering := map[int]string{}
	if c == nil {
		return answering
	}
	ids := c.Peers(d.g.group)
	found := make([][]finding, len(ids))
	webs := make([]string, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		pg, _ := c.Group(id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			add := func(l level, t i18n.Text, args ...any) {
				found[i] = append(found[i], finding{l, t.F(d.g.e.lang, args...)})
			}
			var seen []string
			for _, s := range []service{{"SMTP", pg.SMTPAddr()}, {"POP3", pg.POP3Addr()}, {"web", pg.WebAddr()}} {
				who, other, err := d.probe(ctx, s)
				switch {
				case err != nil:
					add(levelFail, txtDoctorPeerDown, id, s.name, s.addr, err)
				case other != "" || who != id:
					if other == "" {
						other = "g" + strconv.Itoa(who)
					}
					add(levelFail, txtDoctorPeerWrong, id, s.name, s.addr, other)
				default:
					seen = append(seen, s.name+" "+s.addr)
					if s.name == "web" {
						webs[i] = s.addr
					}
				}
			}
			if len(seen) == 3 {
				add(levelOK, txtDoctorPeerOk, id, strings.Join(seen, ", "))
			}
		}()
	}
	wg.Wait()
	for i, id := range ids {
		d.findings = append(d.findings, found[i]...)
		if webs[i] != "" {
			answering[id] = webs[i]
		}
	}
	return answering
}

// clock: sane on its own, and agreeing with the peers' servers.
func (d *doctor) clock(ctx context.Context, peers map[int]string) {
	now := d.o.now()
	if now.Year() < 2024 {
		d.add(levelFail, txtDoctorClockWrong, now.Format("2006-01-02 15:04:05 MST"))
		return
	}
	if len(peers) == 0 {
		d.add(levelInfo, txtDoctorClockSane, now.Format("2006-01-02 15:04:05 MST"))
		return
	}
	for _, id := range d.g.classroom.Peers(d.g.group) {
		addr, ok := peers[id]
		if !ok {
			continue
		}
		before := d.o.now()
		st, err := (&web.Client{Timeout: d.o.timeout}).Status(ctx, addr)
		after := d.o.now()
		if err != nil {
			continue
		}
		skew := st.Time.Sub(before.Add(after.Sub(before) / 2))
		if skew < 0 {
			skew = -skew
		}
		if skew > clockSkew {
			d.add(levelFail, txtDoctorClockOff, id, skew.Round(time.Second).String())
		} else {
			d.add(levelOK, txtDoctorClockOk, id, skew.Round(100*time.Millisecond).String())
		}
	}
}
