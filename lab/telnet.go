package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fatih/color"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// telnetOptions are the settings of one `lab telnet` session.
type telnetOptions struct {
	host, port string
	bind       *net.TCPAddr // the local address, nil for any
	color      bool         // colour the output
	// terminal: stdin and stdout are a terminal, so lines are read with
	// line editing and history (golang.org/x/term), the prompt "> " marks
	// what the user typed, and server lines are written above the prompt.
	terminal bool
	// pace: stdin is not a terminal (a file or a pipe), so each line waits
	// for the server's answer before the next is sent, and the output reads
	// like a conversation.
	pace bool
	// wait is how long to wait, after stdin ends, for the server to close.
	wait time.Duration
	// dialTimeout bounds the connection attempt.
	dialTimeout time.Duration
}

// How long `lab telnet` waits by default.
const (
	telnetWait        = 3 * time.Second // for the server to close after stdin ends
	telnetDialTimeout = 10 * time.Second
	paceFirst         = 500 * time.Millisecond // for the first line of an answer
	paceQuiet         = 40 * time.Millisecond  // for the answer to be over
)

// The marker of the lines the user typed.
const typedMarker = "> "

func newTelnetCommand(e *env) *cli.Command {
	t := func(k string) string { return toolTexts[k].In(e.lang) }
	return &cli.Command{
		Name:        "telnet",
		Usage:       t("telnet-usage"),
		UsageText:   "lab telnet HOST PORT [--bind ADDR] [--lang ja|en]   (lab telnet 127.0.0.1 1110)",
		Description: t("telnet-description"),
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "bind", Aliases: []string{"b"}, Usage: t("flag-bind")},
			langFlag(e),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return usageError{t("telnet-args")}
			}
			o := telnetOptions{
				host:        c.Args().Get(0),
				wait:        telnetWait,
				dialTimeout: telnetDialTimeout,
			}
			var err error
			if o.port, err = telnetPort(c.Args().Get(1)); err != nil {
				return usageError{toolTexts["telnet-bad-port"].F(e.lang, c.Args().Get(1))}
			}
			if b := c.String("bind"); b != "" {
				if o.bind = bindAddr(b); o.bind == nil {
					return usageError{toolTexts["telnet-bad-bind"].F(e.lang, b)}
				}
			}
			_, inTerm := terminalFd(e.stdin)
			outTerm := isTerminal(e.stdout)
			o.color = outTerm && e.getenv("NO_COLOR") == "" && e.getenv("TERM") != "dumb"
			o.terminal = inTerm && outTerm
			o.pace = !inTerm
			return runTelnet(c.Context, e, o)
		},
	}
}

// telnetPort checks a port: a number, or a service name such as pop3.
func telnetPort(s string) (string, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 65535 {
			return "", fmt.Errorf("port out of range")
		}
		return s, nil
	}
	n, err := net.LookupPort("tcp", s)
	if err != nil {
		return "", err
	}
	return strconv.Itoa(n), nil
}

// bindAddr reads --bind: an IP address, or IP:port.
func bindAddr(s string) *net.TCPAddr {
	if ip := net.ParseIP(s); ip != nil {
		return &net.TCPAddr{IP: ip}
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return nil
	}
	ip := net.ParseIP(host)
	n, err := strconv.Atoi(port)
	if ip == nil || err != nil || n < 0 || n > 65535 {
		return nil
	}
	return &net.TCPAddr{IP: ip, Port: n}
}

// runTelnet connects to the server, shows every line it sends, and sends
// each line of stdin with CRLF, until the server closes the connection, or
// stdin ends and the server has not closed within o.wait, or ctx ends.
func runTelnet(ctx context.Context, e *env, o telnetOptions) error {
	tt := func(k string, args ...any) string { return toolTexts[k].F(e.lang, args...) }
	dim := newColor(o.color, color.Faint)
	fmt.Fprintln(e.stderr, dim.Sprint(tt("telnet-trying", o.host, o.port)))
	d := net.Dialer{Timeout: o.dialTimeout}
	if o.bind != nil {
		d.LocalAddr = o.bind
	}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(o.host, o.port))
	if err != nil {
		return failure{dialFailure(e, o, err)}
	}
	defer conn.Close()
	local, _, _ := net.SplitHostPort(conn.LocalAddr().String())
	fmt.Fprintln(e.stderr, dim.Sprint(tt("telnet-connected", o.host, o.port, local)))

	s := &telnetSession{
		o:      o,
		conn:   conn,
		server: newColor(o.color, color.FgGreen),
		marker: newColor(o.color, color.FgCyan, color.Bold),
		dim:    dim,
		lines:  make(chan string, 1),
		done:   make(chan struct{}),
	}
	var input lineReader
	if fd, ok := terminalFd(e.stdin); ok && o.terminal {
		old, err := term.MakeRaw(fd)
		if err != nil {
			return err
		}
		defer term.Restore(fd, old)
		irq := &interruptReader{r: e.stdin}
		tm := term.NewTerminal(struct {
			io.Reader
			io.Writer
		}{irq, e.stdout}, s.marker.Sprint(typedMarker))
		if w, h, err := term.GetSize(fd); err == nil && w > 0 && h > 0 {
			tm.SetSize(w, h)
		}
		s.out, s.status, s.tm, s.irq = tm, tm, tm, irq
		input = tm
		fmt.Fprintln(tm, dim.Sprint(tt("telnet-hint-terminal")))
	} else {
		s.out, s.status = e.stdout, e.stderr
		s.echo = true
		input = &plainLines{r: bufio.NewReader(e.stdin)}
	}

	serverDone := make(chan error, 1)
	go func() { serverDone <- s.readServer() }()
	inputDone := make(chan error, 1)
	go func() { inputDone <- s.sendInput(input) }()

	var serverErr error
	select {
	case serverErr = <-serverDone:
	case <-inputDone:
		// the input ended, or sending failed because the server is gone
		// (its reader then says how)
		if s.irq != nil && s.irq.interrupted() {
			s.finish(tt("telnet-closed"))
			return nil
		}
		select {
		case serverErr = <-serverDone:
		case <-time.After(o.wait):
			s.finish(tt("telnet-gave-up", o.wait.Round(time.Second)))
			return nil
		case <-ctx.Done():
			s.finish(tt("telnet-closed"))
			return nil
		}
	case <-ctx.Done():
		s.finish(tt("telnet-closed"))
		return nil
	}
	if serverErr != nil {
		s.finish("")
		return failure{tt("telnet-lost", serverErr)}
	}
	s.finish(tt("telnet-foreign-close"))
	return nil
}

// newColor returns a colour that is on only when on is true, whatever
// the process's own stdout is.
func newColor(on bool, attrs ...color.Attribute) *color.Color {
	c := color.New(attrs...)
	if on {
		c.EnableColor()
	} else {
		c.DisableColor()
	}
	return c
}

// dialFailure says, in the user's language, why the connection failed and
// what to check.
func dialFailure(e *env, o telnetOptions, err error) string {
	tt := func(k string, args ...any) string { return toolTexts[k].F(e.lang, args...) }
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return tt("telnet-refused", o.host, o.port)
	case errors.Is(err, syscall.EADDRNOTAVAIL) && o.bind != nil:
		return tt("telnet-bind-failed", o.bind.IP, err)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return tt("telnet-unreachable", o.host, err)
	case errors.As(err, &dnsErr):
		return tt("telnet-no-host", o.host)
	case errors.As(err, &netErr) && netErr.Timeout():
		return tt("telnet-timeout", o.host, o.port, o.dialTimeout)
	}
	return tt("telnet-connect-failed", o.host, o.port, err)
}

// lineReader reads the user's lines without their line ends.
type lineReader interface {
	ReadLine() (string, error)
}

// plainLines reads lines from a file or a pipe; a last line without a
// line end is a line too.
type plainLines struct{ r *bufio.Reader }

func (p *plainLines) ReadLine() (string, error) {
	line, err := p.r.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		return "", err
	}
	line = strings.TrimSuffix(line, "\n")
	return strings.TrimSuffix(line, "\r"), nil
}

// interruptReader passes a terminal's input on and notes a Ctrl-C, which
// in raw mode is a byte, not a signal.
type interruptReader struct {
	r   io.Reader
	mu  sync.Mutex
	hit bool
}

func (ir *interruptReader) Read(p []byte) (int, error) {
	n, err := ir.r.Read(p)
	for _, b := range p[:n] {
		if b == 3 {
			ir.mu.Lock()
			ir.hit = true
			ir.mu.Unlock()
		}
	}
	return n, err
}

func (ir *interruptReader) interrupted() bool {
	ir.mu.Lock()
	defer ir.mu.Unlock()
	return ir.hit
}

// telnetSession is one connection of `lab telnet`.
type telnetSession struct {
	o    telnetOptions
	conn net.Conn

	server, marker, dim *color.Color

	mu     sync.Mutex // guards the writers and over
	out    io.Writer  // the conversation
	status io.Writer  // messages about the connection
	echo   bool       // show the lines sent (the terminal does not)
	over   bool       // nothing is written any more
	tm     *term.Terminal
	irq    *interruptReader

	lines  chan string   // the server's lines, for pacing
	done   chan struct{} // closed when the session ends
	inData bool          // after "354": the message text gets no answers
}

// write writes s to w unless the session is over.
func (s *telnetSession) write(w io.Writer, str string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.over {
		io.WriteString(w, str)
	}
}

// readServer shows each line the server sends, until it closes the
// connection (nil) or the connection fails.
func (s *telnetSession) readServer() error {
	br := bufio.NewReader(s.conn)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			text := strings.TrimRight(line, "\r\n")
			s.write(s.out, s.server.Sprint(text)+"\n")
			select {
			case s.lines <- text:
			default:
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			select {
			case <-s.done:
				return nil // we closed it
			default:
			}
			return err
		}
	}
}

// sendInput sends each line the user gives with CRLF, until the input ends
// (io.EOF) or the connection fails.
func (s *telnetSession) sendInput(in lineReader) error {
	if s.o.pace {
		s.waitAnswer() // the greeting comes first
	}
	for {
		line, err := in.ReadLine()
		if err != nil {
			if errors.Is(err, term.ErrPasteIndicator) {
				err = nil // a pasted line is a line
			} else {
				return err
			}
		}
		if s.echo {
			s.write(s.out, s.marker.Sprint(typedMarker)+line+"\n")
		}
		if s.o.pace {
			s.drain()
		}
		if _, err := io.WriteString(s.conn, line+"\r\n"); err != nil {
			return err
		}
		if s.o.pace {
			if s.inData {
				s.inData = line != "."
			}
			if !s.inData {
				s.waitAnswer()
			}
		}
	}
}

// drain forgets the server lines seen so far.
func (s *telnetSession) drain() {
	for {
		select {
		case <-s.lines:
		default:
			return
		}
	}
}

// waitAnswer waits for the server's answer to the line just sent: for its
// first line, then until it has been quiet for a moment. Message text after
// DATA's 354 gets no answer, so no wait follows it.
func (s *telnetSession) waitAnswer() {
	timer := time.NewTimer(paceFirst)
	defer timer.Stop()
	for {
		select {
		case l := <-s.lines:
			s.inData = strings.HasPrefix(l, "354")
			timer.Reset(paceQuiet)
		case <-timer.C:
			return
		case <-s.done:
			return
		}
	}
}

// finish ends the session with a last message: closes the connection and
// stops all output.
func (s *telnetSession) finish(msg string) {
	close(s.done)
	s.conn.Close()
	if s.tm != nil {
		s.tm.SetPrompt("")
	}
	if msg != "" {
		s.write(s.status, s.dim.Sprint(msg)+"\n")
	}
	s.mu.Lock()
	s.over = true
	s.mu.Unlock()
}
