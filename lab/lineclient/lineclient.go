// Package lineclient is a line-mode TCP client for typing a text protocol
// (POP3, SMTP) by hand: it sends each line typed with CRLF and shows both
// sides of the conversation, the server's lines in colour and the typed
// ones after "> ". `lab telnet` runs it, for machines without telnet.
//
// It is not telnet in the sense of RFC 854: it sends no Telnet commands,
// negotiates no options and passes an IAC byte through as any other. What
// it shares with the telnet program is the way the handout uses that: a
// plain TCP connection to a port, typed into line by line.
//
// On a terminal, lines are edited locally (golang.org/x/term: backspace,
// history) and server lines are written above the prompt. From a file or a
// pipe, each line waits for the server's answer before the next is sent, so
// the output reads like the conversation it was.
package lineclient

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fatih/color"
	"golang.org/x/term"

	"maillab/exercises/i18n"
	"maillab/lab/terminal"
)

// Error is a failure the user can act on: the connection could not be
// made, or was lost. Its message is in the session's language.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

// Options are the settings of one session.
type Options struct {
	Host, Port string       // the server; Port is a number
	Bind       *net.TCPAddr // the local address, nil for any
	Color      bool         // colour the output
	// Terminal: stdin and stdout are a terminal, so lines are read with
	// line editing and history (golang.org/x/term), the prompt "> " marks
	// what the user typed, and server lines are written above the prompt.
	Terminal bool
	// Pace: stdin is not a terminal (a file or a pipe), so each line waits
	// for the server's answer before the next is sent, and the output reads
	// like a conversation.
	Pace bool
	// Wait is how long to wait, after stdin ends, for the server to close
	// (zero: DefaultWait).
	Wait time.Duration
	// DialTimeout bounds the connection attempt (zero: DefaultDialTimeout).
	DialTimeout time.Duration
	// Lang is the language of the messages about the connection.
	Lang i18n.Lang
}

// How long a session waits by default, and how it paces piped input.
const (
	DefaultWait        = 3 * time.Second // for the server to close after stdin ends
	DefaultDialTimeout = 10 * time.Second
	paceFirst          = 500 * time.Millisecond // for the first line of an answer
	paceQuiet          = 40 * time.Millisecond  // for the answer to be over
)

// TypedMarker is shown before the lines the user typed.
const TypedMarker = "> "

// Run connects to the server, shows every line it sends on stdout, and
// sends each line of stdin with CRLF, until the server closes the
// connection, or stdin ends and the server has not closed within o.Wait, or
// ctx ends. Messages about the connection go to stderr. It returns an
// *Error when the connection could not be made or was lost.
func Run(ctx context.Context, o Options, stdin io.Reader, stdout, stderr io.Writer) error {
	o.Wait = cmp.Or(o.Wait, DefaultWait)
	o.DialTimeout = cmp.Or(o.DialTimeout, DefaultDialTimeout)
	dim := terminal.Color(o.Color, color.Faint)
	fmt.Fprintln(stderr, dim.Sprint(txtTelnetTrying.F(o.Lang, o.Host, o.Port)))
	d := net.Dialer{Timeout: o.DialTimeout}
	if o.Bind != nil {
		d.LocalAddr = o.Bind
	}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(o.Host, o.Port))
	if err != nil {
		return &Error{dialFailure(o, err)}
	}
	defer conn.Close()
	local, _, _ := net.SplitHostPort(conn.LocalAddr().String())
	fmt.Fprintln(stderr, dim.Sprint(txtTelnetConnected.F(o.Lang, o.Host, o.Port, local)))

	s := &session{
		o:      o,
		conn:   conn,
		server: terminal.Color(o.Color, color.FgGreen),
		marker: terminal.Color(o.Color, color.FgCyan, color.Bold),
		dim:    dim,
		lines:  make(chan string, 1),
		done:   make(chan struct{}),
	}
	var input lineReader
	if fd, ok := terminal.Fd(stdin); ok && o.Terminal {
		old, err := term.MakeRaw(fd)
		if err != nil {
			return err
		}
		defer term.Restore(fd, old)
		irq := &interruptReader{r: stdin}
		tm := term.NewTerminal(struct {
			io.Reader
			io.Writer
		}{irq, stdout}, s.marker.Sprint(TypedMarker))
		if w, h, err := term.GetSize(fd); err == nil && w > 0 && h > 0 {
			tm.SetSize(w, h)
		}
		s.out, s.status, s.tm, s.irq = tm, tm, tm, irq
		input = tm
		fmt.Fprintln(tm, dim.Sprint(txtTelnetHintTerminal.In(o.Lang)))
	} else {
		s.out, s.status = stdout, stderr
		s.echo = true
		input = &plainLines{r: bufio.NewReader(stdin)}
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
			s.finish(txtTelnetClosed.In(o.Lang))
			return nil
		}
		select {
		case serverErr = <-serverDone:
		case <-time.After(o.Wait):
			s.finish(txtTelnetGaveUp.F(o.Lang, o.Wait.Round(time.Second)))
			return nil
		case <-ctx.Done():
			s.finish(txtTelnetClosed.In(o.Lang))
			return nil
		}
	case <-ctx.Done():
		s.finish(txtTelnetClosed.In(o.Lang))
		return nil
	}
	if serverErr != nil {
		s.finish("")
		return &Error{txtTelnetLost.F(o.Lang, serverErr)}
	}
	s.finish(txtTelnetForeignClose.In(o.Lang))
	return nil
}

// dialFailure says, in the user's language, why the connection failed and
// what to check.
func dialFailure(o Options, err error) string {
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return txtTelnetRefused.F(o.Lang, o.Host, o.Port)
	case errors.Is(err, syscall.EADDRNOTAVAIL) && o.Bind != nil:
		return txtTelnetBindFailed.F(o.Lang, o.Bind.IP, err)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return txtTelnetUnreachable.F(o.Lang, o.Host, err)
	case errors.As(err, &dnsErr):
		return txtTelnetNoHost.F(o.Lang, o.Host)
	case errors.As(err, &netErr) && netErr.Timeout():
		return txtTelnetTimeout.F(o.Lang, o.Host, o.Port, o.DialTimeout)
	}
	return txtTelnetConnectFailed.F(o.Lang, o.Host, o.Port, err)
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

// session is one connection of `lab telnet`.
type session struct {
	o    Options
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
func (s *session) write(w io.Writer, str string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.over {
		io.WriteString(w, str)
	}
}

// readServer shows each line the server sends, until it closes the
// connection (nil) or the connection fails.
func (s *session) readServer() error {
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
func (s *session) sendInput(in lineReader) error {
	if s.o.Pace {
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
			s.write(s.out, s.marker.Sprint(TypedMarker)+line+"\n")
		}
		if s.o.Pace {
			s.drain()
		}
		if _, err := io.WriteString(s.conn, line+"\r\n"); err != nil {
			return err
		}
		if s.o.Pace {
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
func (s *session) drain() {
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
func (s *session) waitAnswer() {
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
func (s *session) finish(msg string) {
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
