package dashboard

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"sync"
	"time"

	"maillab/exercises/i18n"
)

//go:embed assets
var assets embed.FS

// DefaultInterval is how often the dashboard reads the servers.
const DefaultInterval = 2 * time.Second

// heartbeat is how often an idle event stream gets a comment, so that
// proxies and the browser keep it open.
const heartbeat = 15 * time.Second

// Options shape a Server.
type Options struct {
	// Reader reads the class; required. The server's Run updates it, so
	// nothing else may use it while Run runs.
	Reader *Reader
	// Lang is the page's language until the viewer switches.
	Lang i18n.Lang
	// HandGap is the checker's by-hand threshold (see checker.Options).
	HandGap time.Duration
	// Interval is the time between reads; zero means DefaultInterval.
	Interval time.Duration
	// Probes are shown on the page when set (lab grade --serve --probe).
	Probes []ProbeResult
}

// Server is the live dashboard: an http.Handler for the page and its
// API, and Run, which reads the class over and over.
//
//	GET /                the page (HTML, CSS and script embedded in the binary)
//	GET /api/config      the page's language and texts
//	GET /api/snapshot    the latest Snapshot
//	GET /api/stream      server-sent events: a Snapshot each time one changes
//
// It only reads: every method but GET and HEAD gets 405.
type Server struct {
	o      Options
	static http.Handler

	mu      sync.Mutex
	snap    []byte        // the latest snapshot's JSON
	version int64         // of snap
	changed chan struct{} // closed (and replaced) when snap changes
	stopped chan struct{} // closed when Run ends
	once    sync.Once
}

// New returns a dashboard of the class o.Reader reads; call Run to fill
// it.
func New(o Options) *Server {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Lang == "" {
		o.Lang = i18n.Ja
	}
	sub, _ := fs.Sub(assets, "assets")
	return &Server{o: o, static: http.FileServerFS(sub), changed: make(chan struct{}), stopped: make(chan struct{})}
}

// Run reads the class every Interval and publishes what changed, until
// ctx ends; then the event streams end too.
func (s *Server) Run(ctx context.Context) {
	defer s.once.Do(func() { close(s.stopped) })
	t := time.NewTicker(s.o.Interval)
	defer t.Stop()
	for first := true; ; first = false {
		if s.o.Reader.Update(ctx, nil) || first {
			s.publish(build(s.o.Reader, s.o.HandGap, s.o.Probes))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Update reads the class once and publishes what changed; for tests and
// callers that drive the reads themselves instead of Run.
func (s *Server) Update(ctx context.Context) {
	if s.o.Reader.Update(ctx, nil) || s.current() == nil {
		s.publish(build(s.o.Reader, s.o.HandGap, s.o.Probes))
	}
}

func (s *Server) current() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap
}

func (s *Server) publish(snap Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version++
	snap.Version = s.version
	b, err := json.Marshal(snap)
	if err != nil {
		return
	}
	s.snap = b
	close(s.changed)
	s.changed = make(chan struct{})
}

// latest returns the latest snapshot and the channel closed when it
// changes.
func (s *Server) latest() ([]byte, chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap, s.changed
}

// securityHeaders keep the page to its own files: no inline script, no
// frames, nothing fetched from elsewhere.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

// ServeHTTP serves the page and its API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "read-only: only GET and HEAD", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case "/api/config":
		s.config(w)
	case "/api/snapshot":
		s.snapshot(w)
	case "/api/stream":
		s.stream(w, r)
	case "/", "/index.html", "/app.js", "/style.css":
		s.static.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) config(w http.ResponseWriter) {
	page := map[string]Text{}
	for k, t := range pageTexts {
		page[k] = bothOf(t)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{"lang": s.o.Lang, "texts": page})
}

func (s *Server) snapshot(w http.ResponseWriter) {
	snap, _ := s.latest()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if snap == nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"error":"the class has not been read yet"}`))
		return
	}
	w.Write(snap)
}

// stream sends each new snapshot as a server-sent event.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming not supported", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	var sent []byte
	for {
		snap, changed := s.latest()
		if snap != nil && !bytes.Equal(snap, sent) {
			// a snapshot is one line of JSON: one data line
			if _, err := w.Write(append(append([]byte("event: snapshot\ndata: "), snap...), "\n\n"...)); err != nil {
				return
			}
			flusher.Flush()
			sent = snap
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.stopped:
			return
		case <-beat.C:
			if _, err := w.Write([]byte(": still here\n\n")); err != nil {
				return
			}
			flusher.Flush()
		case <-changed:
		}
	}
}
