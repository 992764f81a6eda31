package smtp_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"maillab/server/smtp"
)

// fakeBackend is a backend for group 1 (g1.lab.test) that records what the
// server asked of it. It refuses like the real one will:
//   - RCPT of nobody@... is an unknown user (550 5.1.1),
//   - RCPT outside g1.lab.test and g2.lab.test is a relay (554 5.7.1),
//   - RCPT of panic@... panics,
//   - MAIL from blocked@... is refused (550 5.7.1), from tempfail@... fails
//     with a plain error,
//   - Data of a message with an "X-Fail: reply" line is refused (554 5.7.1),
//     with "X-Fail: plain" fails with a plain error.
type fakeBackend struct {
	// newSessionErr, when set, refuses every connection.
	newSessionErr error
	// noTracer makes sessions that are not Tracers.
	noTracer bool
	// dataStarted, when set, gets a token when Data begins.
	dataStarted chan struct{}

	mu       sync.Mutex
	sessions []*fakeSession
	started  chan struct{} // a token for every new session
}

func (b *fakeBackend) NewSession(c smtp.ConnInfo) (smtp.Session, error) {
	if b.newSessionErr != nil {
		return nil, b.newSessionErr
	}
	s := &fakeSession{loggedOut: make(chan struct{})}
	s.b = b
	b.mu.Lock()
	b.sessions = append(b.sessions, s)
	started := b.started
	b.mu.Unlock()
	if started != nil {
		started <- struct{}{}
	}
	if b.noTracer {
		return struct{ smtp.Session }{s}, nil
	}
	return s, nil
}

// session returns the i-th session the backend made.
func (b *fakeBackend) session(i int) *fakeSession {
	b.mu.Lock()
	defer b.mu.Unlock()
	if i >= len(b.sessions) {
		return nil
	}
	return b.sessions[i]
}

func (b *fakeBackend) numSessions() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.sessions)
}

// message is one message as delivered.
type message struct {
	From string
	To   []string
	Body string
}

// fakeSession records calls (as Go-like strings, for golden files), the
// tracer's view of the conversation, and the messages delivered.
type fakeSession struct {
	b         *fakeBackend
	loggedOut chan struct{} // closed by the first Logout

	mu        sync.Mutex
	calls     []string
	trace     []string
	delivered []message
	from      string
	to        []string
	logouts   int
}

func (s *fakeSession) record(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, fmt.Sprintf(format, args...))
}

func (s *fakeSession) Hello(name string, extended bool) error {
	s.record("Hello(%q, %v)", name, extended)
	return nil
}

func (s *fakeSession) Mail(from string, opts smtp.MailOptions) error {
	s.record("Mail(%q, %+v)", from, opts)
	switch {
	case strings.HasPrefix(from, "blocked@"):
		return &smtp.Error{Code: 550, Enhanced: "5.7.1", Message: "<" + from + ">: Sender address rejected: Access denied"}
	case strings.HasPrefix(from, "tempfail@"):
		return errors.New("fake backend: sender check failed")
	}
	s.mu.Lock()
	s.from, s.to = from, nil
	s.mu.Unlock()
	return nil
}

func (s *fakeSession) Rcpt(to string) error {
	s.record("Rcpt(%q)", to)
	local, domain, _ := strings.Cut(to, "@")
	switch {
	case local == "panic":
		panic("fake backend: panic requested")
	case to == "postmaster":
	case local == "nobody":
		return &smtp.Error{Code: 550, Enhanced: "5.1.1", Message: "<" + to + ">: Recipient address rejected: User unknown"}
	case !strings.EqualFold(domain, "g1.lab.test") && !strings.EqualFold(domain, "g2.lab.test"):
		return &smtp.Error{Code: 554, Enhanced: "5.7.1", Message: "<" + to + ">: Relay access denied"}
	}
	s.mu.Lock()
	s.to = append(s.to, to)
	s.mu.Unlock()
	return nil
}

func (s *fakeSession) Data(r io.Reader) error {
	if s.b.dataStarted != nil {
		s.b.dataStarted <- struct{}{}
	}
	body, err := io.ReadAll(r)
	if err != nil {
		s.record("Data(error: %v)", err)
		return err // keeps nothing
	}
	s.record("Data(%q)", body)
	switch {
	case strings.Contains(string(body), "\r\nX-Fail: reply\r\n"), strings.HasPrefix(string(body), "X-Fail: reply\r\n"):
		return &smtp.Error{Code: 554, Enhanced: "5.7.1", Message: "Message refused by policy"}
	case strings.Contains(string(body), "\r\nX-Fail: plain\r\n"), strings.HasPrefix(string(body), "X-Fail: plain\r\n"):
		return errors.New("fake backend: disk full")
	}
	s.mu.Lock()
	s.delivered = append(s.delivered, message{From: s.from, To: s.to, Body: string(body)})
	s.mu.Unlock()
	return nil
}

func (s *fakeSession) Reset() {
	s.record("Reset()")
	s.mu.Lock()
	s.from, s.to = "", nil
	s.mu.Unlock()
}

func (s *fakeSession) Logout() error {
	s.record("Logout()")
	s.mu.Lock()
	s.logouts++
	n := s.logouts
	s.mu.Unlock()
	if n == 1 {
		close(s.loggedOut)
	}
	return nil
}

// Tracer.

func (s *fakeSession) Command(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trace = append(s.trace, "C: "+line)
}

func (s *fakeSession) Reply(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trace = append(s.trace, "S: "+line)
}

// TLS makes fakeSession a smtp.TLSTracer: "TLS(TLS 1.3)" among the
// calls, or "TLS(failed)".
func (s *fakeSession) TLS(state tls.ConnectionState, err error) {
	if err != nil {
		s.record("TLS(failed)")
		return
	}
	s.record("TLS(%s)", tls.VersionName(state.Version))
}

func (s *fakeSession) DataEnd(size int64, bareLFs int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trace = append(s.trace, fmt.Sprintf("DataEnd(%d, %d)", size, bareLFs))
}

// Copies of what was recorded, for comparing.

func (s *fakeSession) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

func (s *fakeSession) Trace() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.trace...)
}

func (s *fakeSession) Delivered() []message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]message(nil), s.delivered...)
}

func (s *fakeSession) Logouts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logouts
}
