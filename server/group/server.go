package group

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"maillab/server/classroom"
	"maillab/server/evidence"
	"maillab/server/relay"

	"maillab/server/journal"
	"maillab/server/pop3"
	"maillab/server/smtp"
)

// Limits bound what one client can make the server do. The rule for every
// field is that of the protocol servers (conns.Limit): zero takes the
// default of DefaultLimits, a negative value turns the limit off (no line
// limit, no timeout, no login delay, no connection limit, no grace at
// shutdown), any other is the limit.
type Limits struct {
	POP3Line     int           // command line incl. CRLF (RFC 2449: 255)
	SMTPLine     int           // command line incl. CRLF (RFC 5321: 512)
	TextLine     int           // text line of a message incl. CRLF (RFC 5321: 1000)
	MessageBytes int64         // advertised with SIZE
	Recipients   int           // per message (RFC 5321 asks for at least 100)
	POP3Idle     time.Duration // autologout (RFC 1939: at least 10 minutes)
	SMTPIdle     time.Duration // (RFC 5321 section 4.5.3.2.7: 5 minutes)
	ErrorsInARow int           // bad commands before the server hangs up
	// LoginDelay is how often a user name earns another login try once
	// its first 5 are spent (a client address: twice as often, after 10);
	// a login with no try left is refused unchecked (see throttle.go).
	LoginDelay time.Duration
	// Commands is the most commands one session may send: past it the
	// client is told so ("-ERR", "421 4.7.0") and disconnected. (The
	// journal records a session's first journal.DefaultSessionCommands
	// commands in full and only counts the others.)
	Commands      int
	Conns         int           // connections at once, per protocol
	ConnsPerHost  int           // from one client address, per protocol
	ShutdownGrace time.Duration // how long a DATA in flight may take at shutdown
}

// DefaultLimits are the limits of a group server: the protocol servers'
// own defaults, and the group's.
var DefaultLimits = Limits{
	POP3Line:      pop3.DefaultMaxLine,
	SMTPLine:      smtp.DefaultMaxLine,
	TextLine:      smtp.DefaultMaxTextLine,
	MessageBytes:  smtp.DefaultMaxMessageBytes,
	Recipients:    smtp.DefaultMaxRecipients,
	POP3Idle:      pop3.DefaultIdleTimeout,
	SMTPIdle:      smtp.DefaultIdleTimeout,
	ErrorsInARow:  20,
	LoginDelay:    20 * time.Second,
	Commands:      10000,
	Conns:         500,
	ConnsPerHost:  100,
	ShutdownGrace: 30 * time.Second,
}

// withDefaults fills the zero fields from DefaultLimits. A negative field
// stays negative: the protocol servers read it as off, as the group does.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	orDefault(&l.POP3Line, d.POP3Line)
	orDefault(&l.SMTPLine, d.SMTPLine)
	orDefault(&l.TextLine, d.TextLine)
	orDefault(&l.MessageBytes, d.MessageBytes)
	orDefault(&l.Recipients, d.Recipients)
	orDefault(&l.POP3Idle, d.POP3Idle)
	orDefault(&l.SMTPIdle, d.SMTPIdle)
	orDefault(&l.ErrorsInARow, d.ErrorsInARow)
	orDefault(&l.LoginDelay, d.LoginDelay)
	orDefault(&l.Commands, d.Commands)
	orDefault(&l.Conns, d.Conns)
	orDefault(&l.ConnsPerHost, d.ConnsPerHost)
	orDefault(&l.ShutdownGrace, d.ShutdownGrace)
	return l
}

func orDefault[T ~int | ~int64](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}

// Config describes one group's server.
type Config struct {
	Data     *Data  // the group's data folder; required
	SMTPAddr string // e.g. "127.0.0.1:2525"
	POP3Addr string // e.g. "127.0.0.1:1110"
	Limits   Limits
	// Classroom, when set, is the class this group belongs to: mail for the
	// other groups' domains is relayed to their servers, and a client's
	// address tells which group's host it is.
	Classroom *classroom.Classroom
	// ClientGroup tells which classroom group a client address belongs to
	// (0: none). Nil means the Classroom's answer, or none.
	ClientGroup func(net.IP) int
	// Relay tunes the relay to other groups; zero fields take the defaults
	// of package relay.
	Relay RelayOptions
	// UserElsewhere, when set, tells which other classroom group has an
	// account of this name (0: none), so that a login with another group's
	// user name can be explained on the console. It must answer at once.
	UserElsewhere func(name string) int
	// TLS, when set, holds the servers' certificate: POP3 offers STLS and
	// SMTP STARTTLS (tls.go).
	TLS *tls.Config
	// TLSRoots is the class CA, when there is one: the relay checks the
	// other groups' certificates against it. Without it the relay still
	// uses STARTTLS, unverified.
	TLSRoots *x509.CertPool
	// ErrorLog receives internal errors, panics recovered in connections
	// and relay queue errors (never secrets). Nil means the group's own:
	// server.log in its data folder (rotated once at 1 MiB), copied to
	// ErrorOutput when that is set.
	ErrorLog *log.Logger
	// ErrorOutput, when set, gets a copy of the group's own error log
	// (lab start: standard error).
	ErrorOutput io.Writer
}

// RelayOptions tune the relay queue's retries.
type RelayOptions struct {
	MinRetry time.Duration // first retry (then doubling)
	MaxRetry time.Duration // longest wait between attempts
	MaxAge   time.Duration // bounce a message not delivered by then (default 2 h)
}

// MaxHops is how many Received fields a message may carry before it is
// taken for a mail loop (554 5.4.6); Postfix uses 50.
const MaxHops = 30

// Server is a running group server.
type Server struct {
	cfg     Config
	data    *Data
	limits  Limits
	journal *journal.Journal
	lock    *lock
	tracker *evidence.Tracker // the evidence summaries, kept from the journal
	logFile io.Closer         // the error log New opened, or nil

	smtp *smtp.Server
	pop3 *pop3.Server

	smtpLn, pop3Ln net.Listener

	queue     *relay.Queue
	relayer   *relay.Relayer
	stopRelay context.CancelFunc
	relayDone chan struct{}

	mu         sync.Mutex
	inUse      map[string]bool // maildrops locked by a POP3 session
	challenges challenges
	throttle   *throttle
	flood      *floodWatch
	seen       *seenIDs // relay ids delivered here
	closed     bool
	wg         sync.WaitGroup
}

// New opens the group's data folder (locking it against a second server)
// and its journal. Start makes it listen.
func New(cfg Config) (*Server, error) {
	if cfg.Data == nil {
		return nil, errors.New("group: no data folder")
	}
	l, err := cfg.Data.lock()
	if err != nil {
		return nil, err
	}
	st, err := evidence.Load(cfg.Data.Dir, cfg.Data.Group)
	if err != nil {
		l.release()
		return nil, err
	}
	var logFile io.Closer
	if cfg.ErrorLog == nil {
		if cfg.ErrorLog, logFile, err = newErrorLog(cfg.Data.Dir, cfg.Data.Group, cfg.ErrorOutput); err != nil {
			l.release()
			return nil, err
		}
	}
	j, err := journal.OpenDir(cfg.Data.Dir, cfg.Data.Group, journal.Options{ErrorLog: cfg.ErrorLog})
	if err != nil {
		if logFile != nil {
			logFile.Close()
		}
		l.release()
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		data:    cfg.Data,
		limits:  cfg.Limits.withDefaults(),
		journal: j,
		lock:    l,
		tracker: evidence.NewTracker(st),
		logFile: logFile,
		inUse:   map[string]bool{},
	}
	j.Observe(s.tracker.Observe)
	s.throttle = newThrottle(max(s.limits.LoginDelay, 0)) // negative: off
	s.flood = newFloodWatch()
	if err := s.data.Mailbox(Postmaster).Create(); err != nil {
		s.closeStorage()
		return nil, err
	}
	if s.queue, err = relay.OpenQueue(filepath.Join(s.data.Dir, "queue")); err != nil {
		s.closeStorage()
		return nil, err
	}
	if s.seen, err = openSeen(filepath.Join(s.data.Dir, "relay-seen"), time.Now()); err != nil {
		s.closeStorage()
		return nil, err
	}
	s.relayer = &relay.Relayer{
		Queue:    s.queue,
		Hostname: s.data.Domain,
		Route:    s.route,
		LocalIP:  s.hostIP(),
		Journal:  j,
		Bounce:   s.bounce,
		TLS:      s.relayTLS(cfg.TLSRoots),
		MinRetry: cfg.Relay.MinRetry,
		MaxRetry: cfg.Relay.MaxRetry,
		MaxAge:   cfg.Relay.MaxAge,
		ErrorLog: s.cfg.ErrorLog,
	}
	s.smtp = &smtp.Server{
		Backend:         smtpBackend{s},
		Hostname:        s.data.Domain,
		MaxLine:         s.limits.SMTPLine,
		MaxTextLine:     s.limits.TextLine,
		MaxMessageBytes: s.limits.MessageBytes,
		MaxRecipients:   s.limits.Recipients,
		IdleTimeout:     s.limits.SMTPIdle,
		MaxErrors:       s.limits.ErrorsInARow,
		MaxCommands:     s.limits.Commands,
		MaxConns:        s.limits.Conns,
		MaxConnsPerHost: s.limits.ConnsPerHost,
		ReservedConns:   s.limits.Conns / 5,
		TrustedConn:     s.mayRelay,
		TLSConfig:       cfg.TLS,
		ErrorLog:        s.cfg.ErrorLog,
	}
	s.pop3 = &pop3.Server{
		Backend:         pop3Backend{s},
		Hostname:        s.data.Domain,
		Implementation:  "maillab",
		MaxLine:         s.limits.POP3Line,
		IdleTimeout:     s.limits.POP3Idle,
		MaxErrors:       s.limits.ErrorsInARow,
		MaxCommands:     s.limits.Commands,
		MaxConns:        s.limits.Conns,
		MaxConnsPerHost: s.limits.ConnsPerHost,
		ReservedConns:   s.limits.Conns / 5,
		TrustedConn:     s.mayRelay,
		TLSConfig:       cfg.TLS,
		ErrorLog:        s.cfg.ErrorLog,
	}
	return s, nil
}

// newJournalSession starts the journal's session of a connection: a quiet
// one (counted, not recorded) for a client address muted after repeated
// floods (see floodWatch).
func (s *Server) newJournalSession(proto string, remote, local net.Addr) (*journal.Session, string) {
	ip := ""
	if h := hostOf(remote); h != nil {
		ip = h.String()
	}
	muted, note := s.flood.muted(ip, time.Now())
	if note != nil {
		s.journal.Record(*note)
	}
	if muted {
		return s.journal.NewQuietSession(proto), ip
	}
	return s.journal.NewSession(proto, remote, local, s.clientGroup(remote)), ip
}

// sessionEnded tells the flood watch how many commands a session sent.
func (s *Server) sessionEnded(ip string, js *journal.Session) {
	if note := s.flood.ended(ip, js.Commands(), s.limits.Commands, js.Quiet(), time.Now()); note != nil {
		s.journal.Record(*note)
	}
}

// ErrorLog is the group's error log (see Config.ErrorLog).
func (s *Server) ErrorLog() *log.Logger { return s.cfg.ErrorLog }

// Journal is the group's journal; the console subscribes to it.
func (s *Server) Journal() *journal.Journal { return s.journal }

// Data is the group's data folder.
func (s *Server) Data() *Data { return s.data }

// Evidence is the group's live evidence summaries, kept from its journal
// and saved in its data folder.
func (s *Server) Evidence() *evidence.Tracker { return s.tracker }

// EnsureUsers creates the default accounts with random passwords when the
// group has no account yet, and returns them (with their passwords, to be
// shown once); it returns nil when accounts existed.
func (s *Server) EnsureUsers() ([]DefaultAccount, error) {
	list, err := s.data.Accounts.List()
	if err != nil || len(list) > 0 {
		return nil, err
	}
	var made []DefaultAccount
	for _, name := range DefaultUsers {
		pw := randomPassword()
		if err := s.data.AddUser(name, pw, s.journal); err != nil {
			return made, err
		}
		made = append(made, DefaultAccount{Name: name, Password: pw})
	}
	return made, nil
}

// DefaultAccount is an account EnsureUsers made.
type DefaultAccount struct{ Name, Password string }

// Start listens on the configured addresses and serves in the background.
func (s *Server) Start() error {
	for _, u := range []string{Postmaster} {
		s.data.Mailbox(u).CleanTmp(36 * time.Hour)
	}
	if list, err := s.data.Accounts.List(); err == nil {
		for _, a := range list {
			mb := s.data.Mailbox(a.Name)
			if err := mb.Create(); err != nil {
				return err
			}
			mb.CleanTmp(36 * time.Hour)
		}
	} else {
		return err
	}
	if err := s.recoverSpool(); err != nil {
		return err
	}
	var err error
	if s.smtpLn, err = net.Listen("tcp", s.cfg.SMTPAddr); err != nil {
		return fmt.Errorf("group: smtp: %w", err)
	}
	if s.pop3Ln, err = net.Listen("tcp", s.cfg.POP3Addr); err != nil {
		s.smtpLn.Close()
		return fmt.Errorf("group: pop3: %w", err)
	}
	s.journal.Record(journal.Event{Kind: journal.Start, Local: s.smtpLn.Addr().String() + " " + s.pop3Ln.Addr().String()})
	ctx, cancel := context.WithCancel(context.Background())
	s.stopRelay, s.relayDone = cancel, make(chan struct{})
	go func() {
		defer close(s.relayDone)
		s.relayer.Run(ctx)
	}()
	go s.tracker.Run(ctx, s.data.Dir, func(err error) { s.cfg.ErrorLog.Printf("%v", err) })
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		if err := s.smtp.Serve(s.smtpLn); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			s.cfg.ErrorLog.Printf("smtp: %v", err)
		}
	}()
	go func() {
		defer s.wg.Done()
		if err := s.pop3.Serve(s.pop3Ln); err != nil && !errors.Is(err, pop3.ErrServerClosed) {
			s.cfg.ErrorLog.Printf("pop3: %v", err)
		}
	}()
	return nil
}

// SMTPAddr is the address the SMTP server listens on (after Start).
func (s *Server) SMTPAddr() net.Addr { return s.smtpLn.Addr() }

// POP3Addr is the address the POP3 server listens on (after Start).
func (s *Server) POP3Addr() net.Addr { return s.pop3Ln.Addr() }

// Shutdown stops the servers gracefully: no new connections; a DATA in
// flight completes (or is refused when ctx ends first); POP3 sessions end
// without deleting anything. Give ctx a deadline: the servers then cut what
// is left a little before it and wait for those sessions to end, so that
// the journal is closed and the data folder released only when no session
// uses them.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Add(2)
	go func() { defer wg.Done(); errs[0] = s.smtp.Shutdown(ctx) }()
	go func() { defer wg.Done(); errs[1] = s.pop3.Shutdown(ctx) }()
	wg.Wait()
	s.wg.Wait()
	s.data.pending.Wait() // the spool's last flushes
	if s.stopRelay != nil {
		s.stopRelay() // an attempt cut short stays queued
		<-s.relayDone
	}
	s.journal.Record(journal.Event{Kind: journal.Stop})
	err := errors.Join(errs...)
	if cerr := s.closeStorage(); err == nil {
		err = cerr
	}
	if serr := s.tracker.Save(s.data.Dir); err == nil {
		err = serr
	}
	return err
}

func (s *Server) closeStorage() error {
	if s.seen != nil {
		s.seen.close()
	}
	err := s.journal.Close()
	s.lock.release()
	if s.logFile != nil {
		s.logFile.Close()
	}
	return err
}

func (s *Server) clientGroup(a net.Addr) int {
	if a == nil {
		return 0
	}
	ip := hostOf(a)
	switch {
	case ip == nil:
		return 0
	case s.cfg.ClientGroup != nil:
		return s.cfg.ClientGroup(ip)
	case s.cfg.Classroom != nil:
		return s.cfg.Classroom.GroupOfHost(ip)
	}
	return 0
}

// mayRelay says whether a client may hand this server mail for the other
// groups of the classroom: a classroom host may, and so may this machine
// itself (loopback) — unless the classroom's hosts are loopback addresses
// (a rehearsal on one machine), where only they are groups' machines.
func (s *Server) mayRelay(a net.Addr) bool {
	ip := hostOf(a)
	if ip == nil {
		return false
	}
	if s.clientGroup(a) != 0 {
		return true
	}
	own := s.hostIP()
	return ip.IsLoopback() && (own == nil || !own.IsLoopback())
}

// isRelayID says whether id ("g1.lab.test/ENTRY") is the relay id of the
// group whose host the client is, sent by that group's relay (which says
// HELO with the group's domain): only that relay is trusted to name its
// messages. Any other id is nobody's, and counts for nothing.
func (s *Server) isRelayID(id string, client net.Addr, helo string) bool {
	g := s.clientGroup(client)
	if id == "" || g == 0 || g == s.data.Group || s.cfg.Classroom == nil {
		return false
	}
	domain := s.cfg.Classroom.GroupDomain(g)
	idDomain, entry, ok := strings.Cut(id, "/")
	return ok && entry != "" && strings.EqualFold(idDomain, domain) && strings.EqualFold(helo, domain)
}

// route is where the relay finds a group's SMTP server.
func (s *Server) route(group int) (string, bool) {
	if s.cfg.Classroom == nil {
		return "", false
	}
	g, ok := s.cfg.Classroom.Group(group)
	if !ok {
		return "", false
	}
	return g.SMTPAddr(), true
}

// hostIP is this group's host in the classroom, the address relayed mail
// comes from.
func (s *Server) hostIP() net.IP {
	if s.cfg.Classroom == nil {
		return nil
	}
	g, ok := s.cfg.Classroom.Group(s.data.Group)
	if !ok {
		return nil
	}
	return net.ParseIP(g.Host)
}

// Queue is the group's relay queue.
func (s *Server) Queue() *relay.Queue { return s.queue }
