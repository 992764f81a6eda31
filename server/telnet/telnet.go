// Package telnet is the server side of the Telnet protocol (RFC 854) that a
// mail server needs when students talk to it with a real telnet client.
//
// A telnet client sends Telnet commands — IAC (0xFF) and what follows — only
// when something happens on its side: Ctrl-C becomes IAC IP, Ctrl-\ becomes
// IAC BRK, and each is followed by IAC DO TIMING-MARK (RFC 860), after which
// the client shows nothing more until the server answers. A byte of Japanese
// text can trigger this: netkit telnet takes 0x9C (a byte of 本) for Ctrl-\
// with its high bit set. A server that never answers leaves the student's
// screen blank while the session goes on.
//
// A Filter sits between the connection and the line reader: it takes every
// Telnet command out of the byte stream (IAC IAC is the data byte 0xFF),
// refuses every option (WONT to DO, DONT to WILL, RFC 854's rule for a
// party that implements none), answers DO TIMING-MARK with WILL TIMING-MARK
// so that the client shows the replies again, takes CR NUL from a telnet
// client for the end of a line, and reports what it saw so the console can
// explain it. Mail clients never send IAC, so for them a Filter
// passes every byte through unchanged.
package telnet

import (
	"io"
	"sync"
)

// Bytes of the Telnet protocol (RFC 854, "Telnet command structure").
const (
	IAC  = 255 // interpret as command
	DONT = 254
	DO   = 253
	WONT = 252
	WILL = 251
	SB   = 250 // subnegotiation begins
	GA   = 249
	EL   = 248 // erase line
	EC   = 247 // erase character
	AYT  = 246 // are you there
	AO   = 245 // abort output
	IP   = 244 // interrupt process (Ctrl-C)
	BRK  = 243 // break (Ctrl-\ in netkit telnet)
	DM   = 242 // data mark
	NOP  = 241
	SE   = 240 // subnegotiation ends

	// TimingMark is the TIMING-MARK option (RFC 860).
	TimingMark = 6
)

// Event is a Telnet command the client sent.
type Event struct {
	// Command is the command byte: DO, WILL, IP, BRK, …
	Command byte
	// Option is the option of DO, DONT, WILL, WONT and SB.
	Option byte
}

// Name is the command's name as RFC 854 spells it, with its option for the
// negotiation commands ("DO TIMING-MARK", "WILL 24").
func (e Event) Name() string {
	n := commandNames[e.Command]
	if n == "" {
		n = "?"
	}
	switch e.Command {
	case DO, DONT, WILL, WONT, SB:
		return n + " " + OptionName(e.Option)
	}
	return n
}

var commandNames = map[byte]string{
	DONT: "DONT", DO: "DO", WONT: "WONT", WILL: "WILL", SB: "SB", GA: "GA",
	EL: "EL", EC: "EC", AYT: "AYT", AO: "AO", IP: "IP", BRK: "BRK", DM: "DM",
	NOP: "NOP", SE: "SE",
}

// OptionName is an option's name (the common ones) or its number.
func OptionName(o byte) string {
	switch o {
	case 0:
		return "BINARY"
	case 1:
		return "ECHO"
	case 3:
		return "SUPPRESS-GO-AHEAD"
	case TimingMark:
		return "TIMING-MARK"
	case 24:
		return "TERMINAL-TYPE"
	case 31:
		return "NAWS"
	case 32:
		return "TERMINAL-SPEED"
	case 33:
		return "TOGGLE-FLOW-CONTROL"
	case 34:
		return "LINEMODE"
	case 36:
		return "ENVIRON"
	case 39:
		return "NEW-ENVIRON"
	}
	const digits = "0123456789"
	if o < 10 {
		return digits[o : o+1]
	}
	if o < 100 {
		return string([]byte{digits[o/10], digits[o%10]})
	}
	return string([]byte{digits[o/100], digits[o/10%10], digits[o%10]})
}

// Filter reads a client's bytes from R with the Telnet commands taken out,
// and writes its answers to W. It is for one connection, read by one
// goroutine.
type Filter struct {
	r io.Reader
	w io.Writer
	// Seen, when set, is called with each command the client sent, in the
	// reading goroutine, after the Filter answered it.
	Seen func(Event)

	mu    sync.Mutex // guards w, which the server also writes to
	state int
	cmd   byte
	any   bool
	cr    bool   // the last data byte was CR
	in    []byte // what was read, before filtering
	out   []byte // data bytes not yet returned
	err   error  // what the last read of r returned
}

// Filter states: where in a command the stream is.
const (
	data   = iota
	iac    // after IAC
	option // after IAC DO/DONT/WILL/WONT, the option byte next
	sub    // inside IAC SB … IAC SE
	subIAC // an IAC inside a subnegotiation
	subOpt // the option byte after IAC SB
)

// NewFilter returns a Filter reading from r and answering on w. w must be
// safe to use between the server's own writes (a net.Conn is); Lock and
// Unlock let the server keep the Filter's answers out of the middle of its
// own writes when it writes from another goroutine.
func NewFilter(r io.Reader, w io.Writer) *Filter {
	return &Filter{r: r, w: w}
}

// Lock and Unlock hold the Filter's answers back while the server writes.
func (f *Filter) Lock() { f.mu.Lock() }

// Unlock lets the Filter's answers go again.
func (f *Filter) Unlock() { f.mu.Unlock() }

// Active says whether the client has sent any Telnet command: it is a
// telnet client.
func (f *Filter) Active() bool { return f.any }

// Read reads data bytes into p. It returns only when it has at least one
// data byte or an error, so a stream of commands alone never looks like
// the end of the input.
func (f *Filter) Read(p []byte) (int, error) {
	for len(f.out) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		if cap(f.in) < len(p) {
			f.in = make([]byte, len(p))
		}
		n, err := f.r.Read(f.in[:len(p)])
		f.filter(f.in[:n])
		f.err = err
	}
	n := copy(p, f.out)
	f.out = f.out[:copy(f.out, f.out[n:])]
	return n, nil
}

// filter appends the data bytes of b to f.out and answers the commands.
func (f *Filter) filter(b []byte) {
	for _, c := range b {
		switch f.state {
		case data:
			if c == IAC {
				f.state = iac
				continue
			}
			if c == 0 && f.cr && f.any {
				// CR NUL is how a telnet client in character mode
				// ends a line (RFC 854, "the NVT printer"): a line
				// end for a line-based protocol.
				c = '\n'
			}
			f.cr = c == '\r'
			f.out = append(f.out, c)
		case iac:
			f.state = data
			switch c {
			case IAC: // IAC IAC: the data byte 255
				f.out = append(f.out, IAC)
			case DO, DONT, WILL, WONT:
				f.cmd, f.state = c, option
			case SB:
				f.state = subOpt
			default:
				if c < SE {
					// Not a Telnet command: a mail client's 8-bit
					// text (ÿ in Latin-1 is 0xFF). Both bytes are data.
					f.out = append(f.out, IAC, c)
					continue
				}
				f.command(Event{Command: c})
			}
		case option:
			f.state = data
			f.command(Event{Command: f.cmd, Option: c})
		case subOpt:
			f.state, f.cmd = sub, c
		case sub:
			if c == IAC {
				f.state = subIAC
			}
		case subIAC:
			f.state = sub
			if c == SE {
				f.state = data
				f.command(Event{Command: SB, Option: f.cmd})
			}
		}
	}
}

// command answers one command: every option refused, TIMING-MARK agreed to
// (RFC 860: the answer marks the point in the stream the client waits for),
// AYT answered with a visible line; the rest (IP, BRK, AO, EC, EL, NOP, GA,
// DM, and the client's own WONT and DONT) need no answer.
func (f *Filter) command(e Event) {
	f.any = true
	var answer []byte
	switch e.Command {
	case DO:
		if e.Option == TimingMark {
			answer = []byte{IAC, WILL, TimingMark}
		} else {
			answer = []byte{IAC, WONT, e.Option}
		}
	case WILL:
		answer = []byte{IAC, DONT, e.Option}
	case AYT:
		answer = []byte("\r\n[yes]\r\n")
	}
	if answer != nil {
		f.mu.Lock()
		// A broken connection shows on the next read.
		_, _ = f.w.Write(answer)
		f.mu.Unlock()
	}
	if f.Seen != nil {
		f.Seen(e)
	}
}
