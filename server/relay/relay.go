package relay

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"syscall"
	"time"

	"maillab/server/journal"
)

// Failure is a recipient that could not be delivered, with the reason.
type Failure struct {
	Rcpt string
	// Reply is the peer's reply ("550 5.1.1 <x@g2.lab.test>: …"), or what
	// went wrong when there was no reply.
	Reply string
	// Status is the enhanced status code for the report, e.g. "5.1.1".
	Status string
}

// RelayIDField is the header field a relayed message carries, naming the
// relaying server and its queue entry, so that a retry after a crash is
// delivered once.
const RelayIDField = "X-Maillab-Relay-ID"

// Relayer delivers the queue's messages to the other groups' servers.
type Relayer struct {
	Queue *Queue
	// Hostname is the name this server gives in EHLO (its mail domain).
	Hostname string
	// Route returns the SMTP address (host:port) of a group's server.
	Route func(group int) (string, bool)
	// LocalIP, when set, is the address connections are made from: the
	// group's own host, so that the peer sees which group is relaying.
	LocalIP net.IP
	// TLS, when set, gives the TLS configuration for a group's server:
	// the relay then uses STARTTLS (RFC 3207) whenever the peer offers it,
	// and a handshake that fails (a certificate the configuration does
	// not trust, say) defers the message rather than send it in clear.
	// Nil, or a nil configuration, relays without TLS.
	TLS func(group int) *tls.Config
	// Journal receives the queued/relayed/bounced events.
	Journal *journal.Journal
	// Bounce is called with a report for the sender when recipients failed
	// for good; it delivers it (the Relayer has already logged it).
	Bounce func(e Entry, failed []Failure, original []byte) error

	MinRetry time.Duration // first retry after this; doubling up to MaxRetry
	MaxRetry time.Duration
	MaxAge   time.Duration // a message older than this is bounced
	Timeout  time.Duration // for one delivery attempt
	// Workers is how many deliveries may run at once.
	Workers int
	// ErrorLog receives the queue's errors: an entry that cannot be read,
	// updated or removed, a queue folder that cannot be listed. Nil
	// discards them.
	ErrorLog *log.Logger

	kick     chan struct{}
	mu       sync.Mutex
	inFlight map[string]bool
	once     sync.Once
	broken   map[string]bool // entries whose error was logged
}

func (r *Relayer) logf(format string, args ...any) {
	if r.ErrorLog != nil {
		r.ErrorLog.Printf(format, args...)
	}
}

// unreadable logs an entry that cannot be read, once.
func (r *Relayer) unreadable(id string, err error) {
	r.mu.Lock()
	seen := r.broken[id]
	r.broken[id] = true
	r.mu.Unlock()
	if !seen {
		r.logf("relay: queue entry %s cannot be read, it stays in the queue: %v", id, err)
	}
}

// Defaults of a Relayer's timings.
const (
	DefaultMinRetry = 5 * time.Second
	DefaultMaxRetry = 5 * time.Minute
	DefaultMaxAge   = 2 * time.Hour
	DefaultTimeout  = 2 * time.Minute
)

func (r *Relayer) init() {
	r.once.Do(func() {
		r.kick = make(chan struct{}, 1)
		r.inFlight = map[string]bool{}
		r.broken = map[string]bool{}
		if r.MinRetry == 0 {
			r.MinRetry = DefaultMinRetry
		}
		if r.MaxRetry == 0 {
			r.MaxRetry = DefaultMaxRetry
		}
		if r.MaxAge == 0 {
			r.MaxAge = DefaultMaxAge
		}
		if r.Timeout == 0 {
			r.Timeout = DefaultTimeout
		}
		if r.Workers == 0 {
			r.Workers = 8
		}
	})
}

// Kick makes the worker look at the queue now (a message was just queued).
func (r *Relayer) Kick() {
	r.init()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Run delivers queued messages until ctx ends, then waits for deliveries in
// progress to finish (each is bounded by Timeout).
func (r *Relayer) Run(ctx context.Context) {
	r.init()
	sem := make(chan struct{}, r.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.kick:
		case <-timer.C:
		}
		next := r.MaxRetry
		entries, err := r.Queue.ListReporting(r.unreadable)
		if err != nil {
			r.logf("relay: listing the queue: %v", err)
		}
		now := time.Now()
		for _, e := range entries {
			if wait := e.NextTry.Sub(now); wait > 0 {
				next = min(next, wait)
				continue
			}
			r.mu.Lock()
			busy := r.inFlight[e.ID]
			r.inFlight[e.ID] = true
			r.mu.Unlock()
			if busy {
				continue
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func(e Entry) {
				defer wg.Done()
				defer func() { <-sem }()
				r.attempt(ctx, e)
				r.mu.Lock()
				delete(r.inFlight, e.ID)
				r.mu.Unlock()
				r.Kick() // it may have a new NextTry
			}(e)
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(max(next, 100*time.Millisecond))
	}
}

// attempt tries to deliver one entry once and records the outcome.
func (r *Relayer) attempt(ctx context.Context, e Entry) {
	msg, err := r.Queue.Message(e.ID)
	if errors.Is(err, ErrNotFound) {
		return // removed meanwhile
	}
	if err != nil {
		r.unreadable(e.ID, err)
		return
	}
	e.Attempts++
	delivered, failed, deferred, why := r.deliver(ctx, e, msg)
	if len(delivered) > 0 {
		r.Journal.Record(journal.Event{Kind: journal.Relayed, ID: e.ID, MessageID: e.MessageID, From: e.From, Rcpt: delivered, DestGroup: e.DestGroup, Result: journal.ResultOK, Attempt: e.Attempts, Origin: e.Origin})
	}
	if len(deferred) > 0 && time.Since(e.Created) >= r.MaxAge {
		for _, rc := range deferred {
			failed = append(failed, Failure{Rcpt: rc, Reply: why, Status: "4.4.7"})
		}
		why = fmt.Sprintf("gave up after %s: %s", r.MaxAge, why)
		deferred = nil
	}
	if len(failed) > 0 {
		var rcpts []string
		for _, f := range failed {
			rcpts = append(rcpts, f.Rcpt)
		}
		r.Journal.Record(journal.Event{Kind: journal.Relayed, ID: e.ID, MessageID: e.MessageID, From: e.From, Rcpt: rcpts, DestGroup: e.DestGroup, Result: journal.ResultBounced, Attempt: e.Attempts, Error: failed[0].Reply, Origin: e.Origin})
		if r.Bounce != nil {
			if err := r.Bounce(e, failed, msg); err != nil {
				r.Journal.Record(journal.Event{Kind: journal.Bounced, ID: e.ID, From: e.From, Rcpt: rcpts, Result: journal.ResultError, Error: err.Error()})
			}
		}
	}
	if len(deferred) == 0 {
		if err := r.Queue.Remove(e.ID); err != nil && !errors.Is(err, ErrNotFound) {
			r.logf("relay: removing delivered entry %s from the queue: %v", e.ID, err)
		}
		return
	}
	e.Rcpts = deferred
	e.LastError = why
	e.NextTry = time.Now().Add(r.backoff(e.Attempts))
	if err := r.Queue.Update(e); err != nil && !errors.Is(err, ErrNotFound) {
		r.logf("relay: updating queue entry %s: %v", e.ID, err)
	}
	r.Journal.Record(journal.Event{Kind: journal.Relayed, ID: e.ID, MessageID: e.MessageID, From: e.From, Rcpt: deferred, DestGroup: e.DestGroup, Result: journal.ResultDeferred, Attempt: e.Attempts, Error: why, Origin: e.Origin})
}

// backoff is the wait after the n-th failed attempt.
func (r *Relayer) backoff(n int) time.Duration {
	d := r.MinRetry
	for i := 1; i < n && d < r.MaxRetry; i++ {
		d *= 2
	}
	return min(d, r.MaxRetry)
}

// deliver makes one SMTP delivery of msg to e's destination and sorts the
// recipients into delivered, failed for good, and to be tried again (with
// why, the reason).
func (r *Relayer) deliver(ctx context.Context, e Entry, msg []byte) (delivered []string, failed []Failure, deferred []string, why string) {
	addr, ok := r.Route(e.DestGroup)
	if !ok {
		for _, rc := range e.Rcpts {
			failed = append(failed, Failure{Rcpt: rc, Reply: fmt.Sprintf("group %d is not in the classroom", e.DestGroup), Status: "5.1.2"})
		}
		return nil, failed, nil, ""
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	if r.LocalIP != nil {
		d.LocalAddr = &net.TCPAddr{IP: r.LocalIP}
	}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil && r.LocalIP != nil && isAddrNotAvail(err) {
		// this machine is not the group's host as the classroom file says:
		// relay from whatever address it has
		conn, err = (&net.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, nil, e.Rcpts, fmt.Sprintf("cannot connect to group %d's server at %s: %v", e.DestGroup, addr, unwrapOp(err))
	}
	defer conn.Close()
	// a shutdown cuts the attempt short; without the final 250 the peer
	// keeps nothing and the entry stays queued
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	conn.SetDeadline(time.Now().Add(r.Timeout))
	host, _, _ := net.SplitHostPort(addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return nil, nil, e.Rcpts, describe(err)
	}
	defer c.Close()
	if err := c.Hello(r.Hostname); err != nil {
		return classify(err, e.Rcpts)
	}
	if err := r.startTLS(c, e.DestGroup); err != nil {
		return nil, nil, e.Rcpts, err.Error()
	}
	if err := c.Mail(e.From); err != nil {
		return classify(err, e.Rcpts)
	}
	var accepted []string
	for _, rc := range e.Rcpts {
		if err := c.Rcpt(rc); err != nil {
			_, f, d, w := classify(err, []string{rc})
			failed, deferred = append(failed, f...), append(deferred, d...)
			if w != "" {
				why = w
			}
			continue
		}
		accepted = append(accepted, rc)
	}
	if len(accepted) == 0 {
		c.Quit()
		return nil, failed, deferred, why
	}
	w, err := c.Data()
	if err != nil {
		_, f, d, wy := classify(err, accepted)
		return nil, append(failed, f...), append(deferred, d...), wy
	}
	// the id lets the peer recognise a message it already has, should this
	// server die between the peer's 250 and taking the entry off the queue
	if _, err := fmt.Fprintf(w, "%s: %s/%s\r\n", RelayIDField, r.Hostname, e.ID); err != nil {
		return nil, failed, append(deferred, accepted...), describe(err)
	}
	// only this hop's id goes on: one an earlier hop (or a sender) wrote
	// could make the peer take the message for one it has already
	if _, err := w.Write(StripRelayID(msg)); err != nil {
		return nil, failed, append(deferred, accepted...), describe(err)
	}
	if err := w.Close(); err != nil {
		_, f, d, wy := classify(err, accepted)
		return nil, append(failed, f...), append(deferred, d...), wy
	}
	c.Quit()
	return accepted, failed, deferred, why
}

// startTLS starts TLS with group's server when the Relayer has a
// configuration for it and the peer offers STARTTLS.
func (r *Relayer) startTLS(c *smtp.Client, group int) error {
	if r.TLS == nil {
		return nil
	}
	cfg := r.TLS(group)
	if cfg == nil {
		return nil
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		return nil
	}
	if err := c.StartTLS(cfg); err != nil {
		return fmt.Errorf("STARTTLS with group %d's server failed: %v", group, unwrapOp(err))
	}
	return nil
}

// StripRelayID returns msg without the RelayIDField fields of its header
// (continuation lines included); msg itself when it has none.
func StripRelayID(msg []byte) []byte {
	var out []byte
	skipping := false
	for off := 0; off < len(msg); {
		end := bytes.IndexByte(msg[off:], '\n')
		if end < 0 {
			end = len(msg)
		} else {
			end += off + 1
		}
		line := msg[off:end]
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			if out == nil {
				return msg // the header ended with no such field
			}
			return append(out, msg[off:]...)
		}
		switch {
		case line[0] == ' ' || line[0] == '\t':
			// a continuation of the field before
		case len(line) > len(RelayIDField) && line[len(RelayIDField)] == ':' &&
			bytes.EqualFold(line[:len(RelayIDField)], []byte(RelayIDField)):
			skipping = true
			if out == nil {
				out = append([]byte{}, msg[:off]...)
			}
		default:
			skipping = false
		}
		if !skipping && out != nil {
			out = append(out, line...)
		}
		off = end
	}
	if out == nil {
		return msg
	}
	return out
}

// classify sorts rcpts by an SMTP error: a 5xx reply fails them for good,
// anything else (4xx, a broken connection) defers them.
func classify(err error, rcpts []string) (delivered []string, failed []Failure, deferred []string, why string) {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		for _, rc := range rcpts {
			failed = append(failed, Failure{Rcpt: rc, Reply: fmt.Sprintf("%d %s", te.Code, te.Msg), Status: enhanced(te)})
		}
		return nil, failed, nil, ""
	}
	return nil, nil, rcpts, describe(err)
}

// enhanced takes the RFC 3463 code from the front of a reply text, or
// makes a generic one from the reply code.
func enhanced(te *textproto.Error) string {
	first, _, _ := strings.Cut(te.Msg, " ")
	parts := strings.Split(first, ".")
	if len(parts) == 3 && len(parts[0]) == 1 && (parts[0] == "4" || parts[0] == "5") {
		return first
	}
	return fmt.Sprintf("%d.0.0", te.Code/100)
}

func describe(err error) string {
	var te *textproto.Error
	if errors.As(err, &te) {
		return fmt.Sprintf("%d %s", te.Code, te.Msg)
	}
	return unwrapOp(err).Error()
}

func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

func isAddrNotAvail(err error) bool { return errors.Is(err, syscall.EADDRNOTAVAIL) }

// headerOf returns the header of a message (up to its empty line).
func headerOf(msg []byte) []byte {
	if i := bytes.Index(msg, []byte("\r\n\r\n")); i >= 0 {
		return msg[:i+2]
	}
	if i := bytes.Index(msg, []byte("\n\n")); i >= 0 {
		return msg[:i+1]
	}
	return msg
}
