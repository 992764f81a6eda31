package relay

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"maillab/server/journal"
	"maillab/server/smtp"
)

func TestQueueAddListRemove(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	q, err := OpenQueue(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Round(0)
	a := Entry{ID: "A1.g2", From: "alice@g1.lab.test", Rcpts: []string{"yom@g2.lab.test"}, DestGroup: 2, Created: now}
	b := Entry{ID: "B2.g3", From: "", Rcpts: []string{"x@g3.lab.test"}, DestGroup: 3, Created: now.Add(time.Second)}
	for _, e := range []Entry{b, a} {
		if err := q.Add(e, strings.NewReader("Subject: "+e.ID+"\r\n\r\nx\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Add(Entry{ID: "../evil"}, strings.NewReader("x")); err == nil {
		t.Error("an id with a slash was accepted")
	}
	list, err := q.List()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Entry{a, b}, list, cmpopts.EquateApproxTime(time.Millisecond)); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	msg, _ := q.Message("A1.g2")
	if string(msg) != "Subject: A1.g2\r\n\r\nx\r\n" {
		t.Errorf("Message = %q", msg)
	}
	a.Attempts, a.LastError = 1, "cannot connect"
	if err := q.Update(a); err != nil {
		t.Fatal(err)
	}
	if got, _ := q.Get("A1.g2"); got.Attempts != 1 || got.LastError != "cannot connect" {
		t.Errorf("after Update: %+v", got)
	}
	if err := q.Remove("A1.g2"); err != nil {
		t.Fatal(err)
	}
	if err := q.Remove("A1.g2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Remove: %v", err)
	}
	if err := q.Update(a); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update of a removed entry: %v", err)
	}
	// a reopened queue has the rest
	q2, _ := OpenQueue(dir)
	if list, _ := q2.List(); len(list) != 1 || list[0].ID != "B2.g3" {
		t.Errorf("reopened: %+v", list)
	}
}

// What a crash leaves half written is cleaned away at open; what was
// acknowledged (both files) stays.
func TestQueueOpenCleansHalfWritten(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"done.eml": "m", "done.json": `{"id":"done","rcpts":["a@g2.lab.test"],"dest_group":2}`,
		"half.eml":      "message whose envelope was never written",
		"orphan.json":   `{"id":"orphan"}`,
		"done.json.tmp": "partial",
	}
	for n, c := range files {
		os.WriteFile(filepath.Join(dir, n), []byte(c), 0o600)
	}
	q, err := OpenQueue(dir)
	if err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	var names []string
	for _, l := range left {
		names = append(names, filepath.Base(l))
	}
	if diff := cmp.Diff([]string{"done.eml", "done.json"}, names); diff != "" {
		t.Errorf("files after open (-want +got):\n%s", diff)
	}
	if list, _ := q.List(); len(list) != 1 {
		t.Errorf("List = %+v", list)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	r := &Relayer{MinRetry: 5 * time.Second, MaxRetry: time.Minute}
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, r.backoff(n))
	}
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("backoff (-want +got):\n%s", diff)
	}
}

// peer is a real SMTP server (package smtp) whose backend answers as told.
type peer struct {
	mu       sync.Mutex
	rcptErr  map[string]error // by address
	dataErr  error
	received []string
	overTLS  []bool // for each of received: whether its session was TLS
	addr     string
	tls      *tls.Config // the server's certificate, when it offers STARTTLS
}

func (p *peer) NewSession(smtp.ConnInfo) (smtp.Session, error) { return &peerSession{p: p}, nil }

type peerSession struct {
	p     *peer
	rcpts []string
	tls   bool
}

// TLS makes peerSession a smtp.TLSTracer.
func (s *peerSession) TLS(_ tls.ConnectionState, err error) { s.tls = err == nil }

func (s *peerSession) Hello(string, bool) error            { return nil }
func (s *peerSession) Mail(string, smtp.MailOptions) error { return nil }
func (s *peerSession) Rcpt(to string) error {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if err := s.p.rcptErr[to]; err != nil {
		return err
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}
func (s *peerSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if s.p.dataErr != nil {
		return s.p.dataErr
	}
	s.p.received = append(s.p.received, strings.Join(s.rcpts, ",")+"|"+string(b))
	s.p.overTLS = append(s.p.overTLS, s.tls)
	return nil
}
func (s *peerSession) Reset()        { s.rcpts = nil }
func (s *peerSession) Logout() error { return nil }

func startPeer(t *testing.T, p *peer) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &smtp.Server{Backend: p, Hostname: "peer.test", TLSConfig: p.tls}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	p.addr = l.Addr().String()
}

type bounced struct {
	entry  Entry
	failed []Failure
}

// bounceLog records the Relayer's Bounce calls.
type bounceLog struct {
	mu   sync.Mutex
	list []bounced
}

func (b *bounceLog) all() []bounced {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]bounced(nil), b.list...)
}

func (p *peer) got() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.received...)
}

func newRelayer(t *testing.T, p *peer, opts ...func(*Relayer)) (*Relayer, *bounceLog, string) {
	t.Helper()
	q, err := OpenQueue(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	jpath := filepath.Join(t.TempDir(), "journal.jsonl")
	j, err := journal.OpenFile(jpath, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	b := &bounceLog{}
	r := &Relayer{
		Queue: q, Hostname: "g1.lab.test", Journal: j,
		Route: func(g int) (string, bool) {
			if g == 2 {
				return p.addr, true
			}
			return "", false
		},
		Bounce: func(e Entry, f []Failure, _ []byte) error {
			b.mu.Lock()
			b.list = append(b.list, bounced{e, f})
			b.mu.Unlock()
			return nil
		},
		MinRetry: 20 * time.Millisecond, MaxRetry: 50 * time.Millisecond,
	}
	for _, o := range opts {
		o(r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r, b, jpath
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 300; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met in 3 s")
}

func TestRelaySortsRecipients(t *testing.T) {
	t.Parallel()
	p := &peer{rcptErr: map[string]error{
		"nobody@g2.lab.test": &smtp.Error{Code: 550, Enhanced: "5.1.1", Message: "<nobody@g2.lab.test>: User unknown"},
		"later@g2.lab.test":  &smtp.Error{Code: 451, Enhanced: "4.3.0", Message: "try later"},
	}}
	startPeer(t, p)
	r, b, _ := newRelayer(t, p)
	e := Entry{ID: "M1.g2", From: "alice@g1.lab.test", Rcpts: []string{"yom@g2.lab.test", "nobody@g2.lab.test", "later@g2.lab.test"}, DestGroup: 2, Created: time.Now(), NextTry: time.Now()}
	if err := r.Queue.Add(e, strings.NewReader("Subject: s\r\n\r\n.dot\r\n")); err != nil {
		t.Fatal(err)
	}
	r.Kick()
	waitUntil(t, func() bool { return len(p.got()) == 1 })
	if p.got()[0] != "yom@g2.lab.test|X-Maillab-Relay-ID: g1.lab.test/M1.g2\r\nSubject: s\r\n\r\n.dot\r\n" {
		t.Errorf("peer received %q", p.got()[0])
	}
	waitUntil(t, func() bool { return len(b.all()) == 1 })
	if diff := cmp.Diff([]Failure{{Rcpt: "nobody@g2.lab.test", Reply: "550 5.1.1 <nobody@g2.lab.test>: User unknown", Status: "5.1.1"}}, b.all()[0].failed); diff != "" {
		t.Errorf("bounced (-want +got):\n%s", diff)
	}
	// "later" stays queued, alone, until the peer takes it
	waitUntil(t, func() bool { got, err := r.Queue.Get("M1.g2"); return err == nil && got.Attempts >= 2 })
	got, _ := r.Queue.Get("M1.g2")
	if diff := cmp.Diff([]string{"later@g2.lab.test"}, got.Rcpts); diff != "" || !strings.Contains(got.LastError, "451 4.3.0 try later") {
		t.Errorf("queued rcpts (-want +got):\n%s (last error %q)", diff, got.LastError)
	}
	p.mu.Lock()
	delete(p.rcptErr, "later@g2.lab.test")
	p.mu.Unlock()
	waitUntil(t, func() bool { _, err := r.Queue.Get("M1.g2"); return errors.Is(err, ErrNotFound) })
	if got := p.got(); len(got) != 2 || !strings.HasPrefix(got[1], "later@g2.lab.test|") {
		t.Errorf("peer received %q", got)
	}
}

func TestRelayDataRefusedAndTooOld(t *testing.T) {
	t.Parallel()
	p := &peer{dataErr: &smtp.Error{Code: 554, Enhanced: "5.6.0", Message: "no"}}
	startPeer(t, p)
	r, b, jpath := newRelayer(t, p)
	r.Queue.Add(Entry{ID: "D.g2", From: "a@g1.lab.test", Rcpts: []string{"yom@g2.lab.test"}, DestGroup: 2, Created: time.Now()}, strings.NewReader("x\r\n"))
	// an old message for a group that cannot be reached is given up
	old := time.Now().Add(-3 * time.Hour)
	r.Queue.Add(Entry{ID: "O.g2", From: "a@g1.lab.test", Rcpts: []string{"yom@g2.lab.test"}, DestGroup: 2, Created: old}, strings.NewReader("x\r\n"))
	p.mu.Lock()
	p.rcptErr = map[string]error{}
	p.mu.Unlock()
	r.Kick()
	waitUntil(t, func() bool { return len(b.all()) == 2 })
	waitUntil(t, func() bool { l, _ := r.Queue.List(); return len(l) == 0 })
	statuses := map[string]string{}
	for _, x := range b.all() {
		statuses[x.entry.ID] = x.failed[0].Status
	}
	if statuses["D.g2"] != "5.6.0" {
		t.Errorf("statuses %v", statuses)
	}
	evs, _ := journal.ReadFile(jpath)
	var results []string
	for _, e := range evs {
		if e.Kind == journal.Relayed {
			results = append(results, e.ID+":"+e.Result)
		}
	}
	if len(results) < 2 {
		t.Errorf("journal: %v", results)
	}
}

func TestRelayUnreachableIsDeferredThenExpires(t *testing.T) {
	t.Parallel()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close() // nobody listens there now
	p := &peer{addr: addr}
	r, b, _ := newRelayer(t, p, func(r *Relayer) { r.MaxAge = 300 * time.Millisecond })
	r.Queue.Add(Entry{ID: "U.g2", From: "a@g1.lab.test", Rcpts: []string{"yom@g2.lab.test"}, DestGroup: 2, Created: time.Now()}, strings.NewReader("x\r\n"))
	r.Kick()
	waitUntil(t, func() bool { e, err := r.Queue.Get("U.g2"); return err == nil && e.Attempts >= 1 })
	e, _ := r.Queue.Get("U.g2")
	if !strings.Contains(e.LastError, "cannot connect to group 2's server") || !strings.Contains(e.LastError, "connection refused") {
		t.Errorf("last error %q", e.LastError)
	}
	waitUntil(t, func() bool { return len(b.all()) == 1 })
	if f := b.all()[0].failed[0]; f.Status != "4.4.7" {
		t.Errorf("expired failure %+v", f)
	}
}

func TestBounceMessage(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	e := Entry{ID: "X.g2", From: "alice@g1.lab.test", MessageID: "<m1@g1.lab.test>", Created: created}
	orig := []byte("Received: from pc01\r\nMessage-ID: <m1@g1.lab.test>\r\nSubject: hi\r\n\r\nsecret body text\r\n")
	got := string(BounceMessage("g1.lab.test", e, []Failure{{Rcpt: "nobody@g2.lab.test", Reply: "550 5.1.1 unknown", Status: "5.1.1"}}, orig, "<b1@g1.lab.test>", created))
	for _, want := range []string{
		"To: <alice@g1.lab.test>\r\n",
		"Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"maillab-report-b1-g1.lab.test\"\r\n",
		"Reporting-MTA: dns; g1.lab.test\r\n",
		"Final-Recipient: rfc822; nobody@g2.lab.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 unknown\r\n",
		"Content-Type: text/rfc822-headers\r\n\r\nReceived: from pc01\r\nMessage-ID: <m1@g1.lab.test>\r\nSubject: hi\r\n",
		"--maillab-report-b1-g1.lab.test--\r\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("bounce lacks %q", want)
		}
	}
	if strings.Contains(got, "secret body text") {
		t.Error("the bounce carries the original body; only its header belongs there")
	}
	if bytes.Contains([]byte(got), []byte("\n\n")) || strings.Count(got, "\n") != strings.Count(got, "\r\n") {
		t.Error("bounce has bare LF line ends")
	}
}

// Only this hop's relay id goes to the peer: one a sender forged, or an
// earlier hop wrote, is taken out of the header (never out of the body).
func TestStripRelayID(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Subject: a\r\n\r\nbody\r\n", "Subject: a\r\n\r\nbody\r\n"},
		{"X-Maillab-Relay-ID: g1.lab.test/X\r\nSubject: a\r\n\r\nbody\r\n", "Subject: a\r\n\r\nbody\r\n"},
		{"Subject: a\r\nx-maillab-relay-id: g1.lab.test/X\r\n  folded\r\nTo: b\r\n\r\nX-Maillab-Relay-ID: in the body\r\n",
			"Subject: a\r\nTo: b\r\n\r\nX-Maillab-Relay-ID: in the body\r\n"},
		{"Received: x\r\n\tfolded\r\nX-Maillab-Relay-ID: a\r\nX-Maillab-Relay-ID: b\r\n\r\n", "Received: x\r\n\tfolded\r\n\r\n"},
		{"X-Maillab-Relay-IDs: not the field\r\n\r\n", "X-Maillab-Relay-IDs: not the field\r\n\r\n"},
		{"X-Maillab-Relay-ID: no body", ""},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, string(StripRelayID([]byte(tt.in)))); diff != "" {
			t.Errorf("StripRelayID(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// Queue errors are reported through the error log, once each: an entry
// whose envelope cannot be read stays in the queue and is named.
func TestRelayReportsQueueErrors(t *testing.T) {
	t.Parallel()
	p := &peer{}
	startPeer(t, p)
	var mu sync.Mutex
	var logged bytes.Buffer
	r, _, _ := newRelayer(t, p, func(r *Relayer) {
		r.ErrorLog = log.New(writerFunc(func(b []byte) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			return logged.Write(b)
		}), "", 0)
	})
	r.Queue.Add(Entry{ID: "C.g2", From: "a@g1.lab.test", Rcpts: []string{"yom@g2.lab.test"}, DestGroup: 2, Created: time.Now()}, strings.NewReader("x\r\n"))
	if err := os.WriteFile(filepath.Join(r.Queue.Dir(), "C.g2.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.Kick()
	read := func() string { mu.Lock(); defer mu.Unlock(); return logged.String() }
	waitUntil(t, func() bool { return strings.Contains(read(), "C.g2") })
	for range 3 {
		r.Kick() // more passes over the queue: still one line
		time.Sleep(20 * time.Millisecond)
	}
	if n := strings.Count(read(), "queue entry C.g2 cannot be read"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, read())
	}
	if _, err := os.Stat(filepath.Join(r.Queue.Dir(), "C.g2.eml")); err != nil {
		t.Errorf("the message left the queue: %v", err)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }
