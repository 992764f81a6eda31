// Package dashboard is the instructor's view of a class: it reads every
// group's evidence as it grows (Reader), probes the groups' servers
// (Probe), and serves a live page of the class (Server) — the groups ×
// exercises grid, each group's latest sessions and a picture of which
// group sent mail to which.
//
// Everything it shows comes through the groups' read-only web APIs (see
// package web), which mask secrets on the way out; data folders on this
// machine are read through the same API, served in this process, so the
// same masking applies. It changes nothing on any server: the probes send
// mail only to postmaster, marked as probes, which never count toward an
// exercise.
package dashboard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"maillab/checker"
	"maillab/server/account"
	"maillab/server/classroom"
	"maillab/server/datadir"
	"maillab/server/evidence"
	"maillab/server/group"
	"maillab/server/journal"
	"maillab/server/web"
)

// Reader follows a classroom's groups: each Update reads each group's
// evidence summaries (bounded, whatever the history) and the journal
// events its server recorded since the last Update, all groups at once.
// Of the events it keeps only those since the reader began, at most
// MaxEvents a group; the history is in the summaries. It is not safe for
// concurrent use.
type Reader struct {
	classroom *classroom.Classroom
	client    *web.Client
	local     bool
	groups    []int
	state     map[int]*groupState
}

// MaxEvents is how many of a group's latest journal events a Reader keeps.
const MaxEvents = 20000

// groupState is what has been read of one group.
type groupState struct {
	addr     string // of its web API (or the in-process one)
	domain   string
	accounts []string
	evidence *evidence.State
	events   []journal.Event // since the reader began, at most MaxEvents
	cursor   int64           // of the journal, for the next read; -1 before the first
	err      error           // why the last read failed
	read     bool            // a read has succeeded
	missing  error           // a data folder that is not there
}

// ReaderOptions shape a Reader.
type ReaderOptions struct {
	// DataRoot, when set, reads the groups' data folders on this machine
	// (DIR/gN) instead of their servers.
	DataRoot string
	// Timeout bounds each request to a server; zero means 5 seconds.
	Timeout time.Duration
}

// localPrefix names the in-process APIs of data folders; it is no host
// name, so no request with it can leave this process.
const localPrefix = "data-folder-g"

// NewReader returns a reader of every group of the classroom c.
func NewReader(c *classroom.Classroom, o ReaderOptions) *Reader {
	r := &Reader{classroom: c, state: map[int]*groupState{}}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = web.DefaultTimeout
	}
	r.client = &web.Client{Timeout: timeout}
	var local localAPIs
	if o.DataRoot != "" {
		r.local = true
		local = localAPIs{}
		r.client.HTTP = &http.Client{Transport: local}
	}
	for _, g := range c.Groups {
		r.groups = append(r.groups, g.ID)
		st := &groupState{addr: g.WebAddr(), cursor: -1}
		if r.local {
			st.addr = localPrefix + strconv.Itoa(g.ID)
			dir := datadir.DirFor(o.DataRoot, g.ID)
			if _, err := os.Stat(dir); err != nil {
				st.missing = fmt.Errorf("no data folder for group %d: %w", g.ID, err)
			} else {
				local[st.addr] = web.New(web.Config{Data: &datadir.Folder{
					Dir: dir, Group: g.ID, Domain: c.GroupDomain(g.ID), Accounts: account.Open(dir),
				}, MaskCommand: group.MaskCommand})
			}
		}
		r.state[g.ID] = st
	}
	slices.Sort(r.groups)
	return r
}

// Groups are the classroom's groups, in order.
func (r *Reader) Groups() []int { return slices.Clone(r.groups) }

// Classroom is the class the reader follows.
func (r *Reader) Classroom() *classroom.Classroom { return r.classroom }

// Update reads what every group recorded since the last Update, all at
// once, and calls done (one call at a time) as each group's read ends.
// It says whether anything changed: new events, or a group that became
// reachable or not.
func (r *Reader) Update(ctx context.Context, done func(group int, err error)) bool {
	var (
		mu      sync.Mutex
		changed bool
		wg      sync.WaitGroup
	)
	for _, id := range r.groups {
		st := r.state[id]
		wg.Add(1)
		go func() {
			defer wg.Done()
			wasErr, wasRead, n, cur := st.err != nil, st.read, st.events, st.cursor
			var seen int64
			if st.evidence != nil {
				seen = st.evidence.Events
			}
			st.update(ctx, r.client, id)
			mu.Lock()
			defer mu.Unlock()
			grew := st.cursor != cur || len(st.events) != len(n)
			if st.evidence != nil && st.evidence.Events != seen {
				grew = true
			}
			if grew || (st.err != nil) != wasErr || st.read != wasRead {
				changed = true
			}
			if done != nil {
				done(id, st.err)
			}
		}()
	}
	wg.Wait()
	return changed
}

// update reads one group's status, its evidence summaries and its new
// events.
func (st *groupState) update(ctx context.Context, client *web.Client, id int) {
	if st.missing != nil {
		st.err = st.missing
		return
	}
	s, err := client.Status(ctx, st.addr)
	if err == nil && s.Group != id {
		err = fmt.Errorf("%s is group %d's server, not group %d's", st.addr, s.Group, id)
	}
	if err != nil {
		st.err = err
		return
	}
	ev, err := client.Evidence(ctx, st.addr)
	if err == nil && ev.Group != id {
		err = fmt.Errorf("%s gave group %d's evidence, not group %d's", st.addr, ev.Group, id)
	}
	if err != nil {
		st.err = err
		return
	}
	switch {
	case st.cursor < 0:
		// the history is in the summaries: follow the journal from its end
		st.cursor = s.JournalEnd
	case s.JournalEnd < st.cursor:
		// the journal is shorter than what was read: a new one
		st.events, st.cursor = nil, 0
	}
	st.domain, st.accounts, st.evidence = s.Domain, s.Accounts, ev
	for {
		page, err := client.Events(ctx, st.addr, st.cursor)
		if err != nil {
			st.err = err
			return
		}
		st.events = append(st.events, page.Events...)
		if n := len(st.events); n > MaxEvents {
			st.events = slices.Clone(st.events[n-MaxEvents:])
		}
		st.cursor = page.Next
		if !page.More {
			break
		}
	}
	st.err, st.read = nil, true
}

// Err is why group id's evidence could not be read the last time (nil
// when it was).
func (r *Reader) Err(id int) error {
	if st, ok := r.state[id]; ok {
		return st.err
	}
	return fmt.Errorf("%w for group %d (not in the classroom file)", checker.ErrNoServer, id)
}

// Events are the latest events of group id's journal recorded since the
// reader began (at most MaxEvents), in order. The slice is the reader's:
// do not change it.
func (r *Reader) Events(id int) []journal.Event {
	if st, ok := r.state[id]; ok {
		return st.events
	}
	return nil
}

// State is group id's evidence summaries as last read (nil before).
func (r *Reader) State(id int) *evidence.State {
	if st, ok := r.state[id]; ok {
		return st.evidence
	}
	return nil
}

// Evidence returns the evidence read so far, for the checker. A group
// whose last read failed is unreachable in it, with the reason.
func (r *Reader) Evidence() *checker.Evidence {
	ev := checker.NewEvidence(r.classroom)
	for _, id := range r.groups {
		st := r.state[id]
		switch {
		case st.err != nil:
			ev.Unreachable(id, st.err)
		case st.read:
			ev.SetGroup(id, st.domain, st.accounts)
			ev.SetState(id, st.evidence)
		default:
			ev.Unreachable(id, errors.New("not read yet"))
		}
	}
	return ev
}

// localAPIs serves requests for data folders' APIs in this process, each
// by the handler of its folder.
type localAPIs map[string]http.Handler

func (l localAPIs) RoundTrip(req *http.Request) (*http.Response, error) {
	h, ok := l[req.URL.Host]
	if !ok {
		return nil, fmt.Errorf("no data folder for %s", req.URL.Host)
	}
	rec := &recorder{header: http.Header{}, code: http.StatusOK}
	h.ServeHTTP(rec, req)
	return &http.Response{
		Status:     strconv.Itoa(rec.code) + " " + http.StatusText(rec.code),
		StatusCode: rec.code,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        rec.header,
		Body:          io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		ContentLength: int64(rec.body.Len()),
		Request:       req,
	}, nil
}

// recorder is the response writer of an in-process request.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.code, r.wrote = code, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
