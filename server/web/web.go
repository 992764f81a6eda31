// Package web is the read-only web API of one group's server: its status
// and its journal, so that `lab check` on another machine, the
// instructor's `lab grade` and dashboards can read a group's evidence
// without its files.
//
//	GET /api/status             group, domain, account names, server time, version, addresses
//	GET /api/evidence           the group's evidence summaries (package evidence), for the checker
//	GET /api/events?after=N     journal events from byte offset N on (0: the start)
//
// Events come in pages of at most Config.MaxEvents events (and a few MiB);
// each page names the cursor of the next ("next") and whether more are
// waiting ("more"), so that a poller asks only for what is new.
//
// It leaks nothing secret. Account names are public, passwords are not; the
// protocol code keeps of each command line only what its allow-list allows
// (see package server/mask), and this package applies the same allow-list
// again on the way out, and masks besides anything that looks like an
// APOP digest (32 hex digits) and a word equal to an account's password (a
// password typed where a user name was expected). No message body is ever
// in the journal. It only
// reads: every method but GET and HEAD gets 405.
//
// Start it next to a group server:
//
//	w, err := web.Start("127.0.1.3:8025", web.Config{Data: data,
//		Listen: web.Listen{SMTP: srv.SMTPAddr().String(), POP3: srv.POP3Addr().String()}})
//	…
//	w.Shutdown(ctx)
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"maillab/server/account"
	"maillab/server/datadir"
	"maillab/server/evidence"
	"maillab/server/journal"
	"maillab/server/mask"
)

// Paging limits of /api/events.
const (
	// DefaultMaxEvents is the most events one response carries.
	DefaultMaxEvents = 1000
	// maxPageBytes bounds the journal bytes one response reads.
	maxPageBytes = 4 << 20
)

// Config describes the API of one group's server.
type Config struct {
	// Data is the group's data folder: its journal, domain and accounts.
	// Required.
	Data *datadir.Folder
	// Evidence is the running server's live evidence; nil means the
	// data folder's saved evidence and journal are read on each request.
	Evidence *evidence.Tracker
	// Listen is shown by /api/status; Start fills in Web when it is empty.
	Listen Listen
	// Version is shown by /api/status; empty means the binary's own.
	Version string
	// Now is the server's clock; nil means time.Now.
	Now func() time.Time
	// MaxEvents bounds the events of one response (and ?limit=);
	// zero means DefaultMaxEvents.
	MaxEvents int
	// ErrorLog receives errors reading the data folder; nil discards them.
	ErrorLog *log.Logger
	// JournalError, when set, tells whether writing the journal fails now
	// (shown by /api/status as journal_error).
	JournalError func() error
	// MaskCommand masks a journaled command line once more with the
	// allow-list of its protocol ("pop3", "smtp"): a known verb and its
	// innocent arguments, else the class and length (group.MaskCommand).
	// Nil keeps only the class and length of every command line: the API
	// knows no protocol by itself, so that what reads it (the checker,
	// through Client) does not depend on the protocol code.
	MaskCommand func(proto, line string) mask.Line
}

// Listen is where a group's servers listen, as host:port.
type Listen struct {
	SMTP string `json:"smtp,omitempty"`
	POP3 string `json:"pop3,omitempty"`
	Web  string `json:"web,omitempty"`
}

// Status is the answer of /api/status.
type Status struct {
	Group    int       `json:"group"`
	Domain   string    `json:"domain"`
	Accounts []string  `json:"accounts"` // names only
	Time     time.Time `json:"time"`     // the server's clock
	Version  string    `json:"version"`
	Listen   Listen    `json:"listen"`
	// JournalEnd is the cursor of the journal's end: a poller that wants
	// only what happens from now on starts there.
	JournalEnd int64 `json:"journal_end"`
	// JournalError is why the server cannot write its journal now (a full
	// disk): nothing is recorded for the exercises until it is fixed.
	// Empty when all is well.
	JournalError string `json:"journal_error,omitempty"`
}

// Events is the answer of /api/events.
type Events struct {
	Group  int             `json:"group"`
	Events []journal.Event `json:"events"`
	// Next is the cursor to ask with (?after=Next) for the events after
	// these.
	Next int64 `json:"next"`
	// More says that more events were waiting when this page was cut.
	More bool `json:"more"`
}

// apiError is the body of every answer but 200.
type apiError struct {
	Error string `json:"error"`
}

type handler struct {
	cfg Config
	mux *http.ServeMux
}

// New returns the API's handler for one group's server. It panics when
// cfg.Data is nil (a programming error).
func New(cfg Config) http.Handler {
	if cfg.Data == nil {
		panic("web: Config.Data is nil")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = DefaultMaxEvents
	}
	if cfg.MaskCommand == nil {
		cfg.MaskCommand = classOnly
	}
	if cfg.Version == "" {
		cfg.Version = binaryVersion()
	}
	if cfg.ErrorLog == nil {
		cfg.ErrorLog = log.New(io.Discard, "", 0)
	}
	h := &handler{cfg: cfg, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /api/status", h.status)
	h.mux.HandleFunc("GET /api/events", h.events)
	h.mux.HandleFunc("GET /api/evidence", h.evidence)
	h.mux.HandleFunc("GET /{$}", h.index)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such resource: "+r.URL.Path+" (see GET /)")
	})
	return h
}

// ServeHTTP answers GET and HEAD, and 405 to every other method.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "read-only: only GET and HEAD")
		return
	}
	h.mux.ServeHTTP(w, r)
}

func (h *handler) index(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"group": h.cfg.Data.Group,
		"endpoints": []string{
			"GET /api/status",
			"GET /api/evidence",
			"GET /api/events?after=CURSOR&limit=N",
		},
	})
}

func (h *handler) status(w http.ResponseWriter, _ *http.Request) {
	list, err := h.cfg.Data.Accounts.List()
	if err != nil {
		h.cfg.ErrorLog.Printf("web: accounts: %v", err)
		writeError(w, http.StatusInternalServerError, "cannot read the accounts")
		return
	}
	names := make([]string, len(list))
	for i, a := range list {
		names[i] = a.Name
	}
	end, _ := journalEnd(h.cfg.Data.Dir)
	st := Status{
		Group:      h.cfg.Data.Group,
		Domain:     h.cfg.Data.Domain,
		Accounts:   names,
		Time:       h.cfg.Now(),
		Version:    h.cfg.Version,
		Listen:     h.cfg.Listen,
		JournalEnd: end,
	}
	if h.cfg.JournalError != nil {
		if err := h.cfg.JournalError(); err != nil {
			st.JournalError = err.Error()
		}
	}
	writeJSON(w, http.StatusOK, st)
}

func (h *handler) events(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err := cursor(q.Get("after"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	limit := h.cfg.MaxEvents
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "limit must be a number of events, 1 or more")
			return
		}
		limit = min(n, limit)
	}
	list, err := h.cfg.Data.Accounts.List()
	if err != nil {
		h.cfg.ErrorLog.Printf("web: accounts: %v", err)
		writeError(w, http.StatusInternalServerError, "cannot read the accounts")
		return
	}
	page, err := readPage(h.cfg.Data.Dir, after, limit, newRedactor(list, h.cfg.MaskCommand))
	var bad badCursor
	switch {
	case errors.As(err, &bad):
		writeError(w, http.StatusBadRequest, bad.Error())
		return
	case err != nil:
		h.cfg.ErrorLog.Printf("web: journal: %v", err)
		writeError(w, http.StatusInternalServerError, "cannot read the journal")
		return
	}
	page.Group = h.cfg.Data.Group
	writeJSON(w, http.StatusOK, page)
}

// evidence answers the group's evidence summaries, with what may be a
// password (a user name or a verb equal to one) masked.
func (h *handler) evidence(w http.ResponseWriter, _ *http.Request) {
	list, err := h.cfg.Data.Accounts.List()
	if err != nil {
		h.cfg.ErrorLog.Printf("web: accounts: %v", err)
		writeError(w, http.StatusInternalServerError, "cannot read the accounts")
		return
	}
	var st *evidence.State
	if h.cfg.Evidence != nil {
		var b []byte
		if b, err = h.cfg.Evidence.JSON(); err == nil {
			st, err = evidence.Parse(b)
		}
		if err == nil {
			// lab hint, in its own process, records into the file only
			st.MergeHints(datadir.ReadHints(h.cfg.Data.Dir))
			st.MergeCrack(evidence.ReadCrack(h.cfg.Data.Dir)) // lab crack, likewise
		}
	} else {
		st, err = evidence.Load(h.cfg.Data.Dir, h.cfg.Data.Group)
	}
	if err != nil {
		h.cfg.ErrorLog.Printf("web: evidence: %v", err)
		writeError(w, http.StatusInternalServerError, "cannot read the evidence")
		return
	}
	red := newRedactor(list, h.cfg.MaskCommand)
	st.EachName(func(s *string) {
		if *s != "" && !red.names[*s] && red.isPassword(*s) {
			*s = hidden
		}
	})
	for _, t := range st.Recent {
		for i, l := range t.Lines {
			kind := journal.Reply
			if l.Dir == "C" {
				kind = journal.Command
			}
			t.Lines[i].Text = red.event(journal.Event{Kind: kind, Proto: t.Proto, Line: l.Text}).Line
		}
	}
	writeJSON(w, http.StatusOK, st)
}

func cursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, badCursor{"after must be a cursor: 0 or a \"next\" of an earlier answer"}
	}
	return n, nil
}

type badCursor struct{ msg string }

func (e badCursor) Error() string { return e.msg }

// redactor masks secrets in events on their way out.
type redactor struct {
	names     map[string]bool
	passwords []string
	mask      func(proto, line string) mask.Line
}

func newRedactor(accounts []account.Account, maskCommand func(proto, line string) mask.Line) *redactor {
	if maskCommand == nil {
		maskCommand = classOnly
	}
	r := &redactor{names: map[string]bool{}, mask: maskCommand}
	for _, a := range accounts {
		r.names[a.Name] = true
		if a.Password != "" {
			r.passwords = append(r.passwords, a.Password)
		}
	}
	return r
}

const hidden = "****"

// digestLike is a word that may be an APOP digest (or part of a password
// hash): 32 hex digits.
var digestLike = regexp.MustCompile(`(?i)\b[0-9a-f]{32}\b`)

func (r *redactor) event(e journal.Event) journal.Event {
	if e.Kind == journal.Command {
		m := r.mask(e.Proto, e.Line)
		e.Verb, e.Line = m.Verb, m.Text
	} else if e.Verb != "" {
		e.Verb = "" // only commands have verbs
	}
	if e.Line != "" {
		e.Line = r.maskWords(digestLike.ReplaceAllString(e.Line, hidden))
	}
	if e.User != "" && !r.names[e.User] && r.isPassword(e.User) {
		e.User = hidden
	}
	if e.Error != "" {
		e.Error = r.maskWords(digestLike.ReplaceAllString(e.Error, hidden))
	}
	return e
}

// classOnly is the masking of Config.MaskCommand when none is given.
func classOnly(_, line string) mask.Line {
	if m, ok := mask.AsClass(line); ok {
		return m
	}
	return mask.Class(mask.Unknown, len(line))
}

// maskWords masks each word of s (split at spaces) that is an account's
// password.
func (r *redactor) maskWords(s string) string {
	if len(r.passwords) == 0 {
		return s
	}
	words := strings.Split(s, " ")
	changed := false
	for i, w := range words {
		if r.isPassword(w) {
			words[i], changed = hidden, true
		}
	}
	if !changed {
		return s
	}
	return strings.Join(words, " ")
}

func (r *redactor) isPassword(w string) bool {
	if w == "" || w == hidden {
		return false
	}
	for _, pw := range r.passwords {
		if strings.EqualFold(w, pw) {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, apiError{Error: msg})
}

// binaryVersion is the module version and VCS revision of the running
// binary, as far as it knows them.
func binaryVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// Server is the API listening on an address.
type Server struct {
	srv *http.Server
	ln  net.Listener
}

// Start listens on addr (host:port; port 0 picks one) and serves the API
// of cfg in the background until Shutdown.
func Start(addr string, cfg Config) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if cfg.Listen.Web == "" {
		cfg.Listen.Web = ln.Addr().String()
	}
	s := &Server{ln: ln, srv: &http.Server{
		Handler:           New(cfg),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          cfg.ErrorLog,
	}}
	go s.srv.Serve(ln)
	return s, nil
}

// Addr is the address the API listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Shutdown stops the API: no new connections, requests under way finish
// (until ctx ends).
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }
