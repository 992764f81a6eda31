package dashboard

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"maillab/checker"
	"maillab/exercises/i18n"
	"maillab/server/classroom"
	"maillab/server/group"
	"maillab/server/journal"
)

// The probes, by id. Each group's server gets all but ProbeRelay once;
// ProbeRelay is one per other group of the cluster (ProbeResult.To).
const (
	ProbePOP3Greeting = "pop3-greeting"  // +OK with an RFC 1939 timestamp <…@…>
	ProbePOP3CAPA     = "pop3-capa"      // CAPA lists USER, TOP and UIDL
	ProbeAPOPUnknown  = "pop3-apop-fake" // APOP of a made-up user: -ERR, no word of the user
	ProbeSMTPGreeting = "smtp-greeting"  // 220
	ProbeSMTPEHLO     = "smtp-ehlo"      // 250
	ProbePostmaster   = "smtp-postmaster"
	ProbeRelay        = "relay" // a message to another group's postmaster arrives there
)

// ProbeIDs are the probes of one group, in the order they are reported.
func ProbeIDs() []string {
	return []string{ProbePOP3Greeting, ProbePOP3CAPA, ProbeAPOPUnknown, ProbeSMTPGreeting, ProbeSMTPEHLO, ProbePostmaster, ProbeRelay}
}

// ProbeResult is the outcome of one probe of one group's server.
type ProbeResult struct {
	Group int
	ID    string
	// To is the receiving group of a ProbeRelay.
	To     int
	Status checker.Status
	// Expect says what the probe expected, in both languages.
	Expect i18n.Text
	// Got is what came back: a reply line as the server sent it or an
	// error (the same in both languages), or what was seen; empty when
	// the probe passed.
	Got i18n.Text
}

// raw is a text that is the same in both languages: a server's reply, an
// error.
func raw(s string) i18n.Text { return i18n.Text{Ja: s, En: s} }

// Passed says whether the probe found what it expected.
func (p ProbeResult) Passed() bool { return p.Status == checker.StatusPassed }

// Name is the probe's id, with the receiving group for a relay probe
// ("relay-g2").
func (p ProbeResult) Name() string {
	if p.ID == ProbeRelay {
		return fmt.Sprintf("%s-g%d", p.ID, p.To)
	}
	return p.ID
}

// ProbeOptions shape Probe.
type ProbeOptions struct {
	// Reader reads the groups' evidence, where relayed probes are looked
	// for. Required; Probe updates it.
	Reader *Reader
	// Wait bounds the wait for relayed probes to arrive; zero means
	// DefaultProbeWait.
	Wait time.Duration
	// Timeout bounds each step of a conversation; zero means 5 seconds.
	Timeout time.Duration
	// Hello is the name given in EHLO; "" means this machine's name.
	Hello string
}

// DefaultProbeWait is how long Probe waits for relayed probes to arrive.
const DefaultProbeWait = 30 * time.Second

// ProbeSender is the envelope sender of probe messages: the null sender,
// so that a probe that cannot be delivered never comes back as a bounce.
const ProbeSender = "<>"

// Probe checks every group's server actively: the POP3 greeting and its
// timestamp, CAPA, a failed APOP of a made-up user, the SMTP greeting,
// EHLO, postmaster, and one message from each group to the postmaster of
// each other group of its cluster, sent through the first group's SMTP
// server and looked for in the second's evidence. Probe messages carry
// X-Maillab-Origin: probe and never count toward an exercise. The results
// come in the order of groups, then ProbeIDs, then receiving groups.
func Probe(ctx context.Context, o ProbeOptions) []ProbeResult {
	if o.Wait <= 0 {
		o.Wait = DefaultProbeWait
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Hello == "" {
		o.Hello, _ = os.Hostname()
		if o.Hello == "" || strings.ContainsAny(o.Hello, " <>") {
			o.Hello = "grader.invalid"
		}
	}
	c := o.Reader.Classroom()
	groups := o.Reader.Groups()
	// the reader follows the journals from its first read on: make it
	// start before the probes' messages are recorded
	o.Reader.Update(ctx, nil)
	run := nonce()
	results := make([][]ProbeResult, len(groups))
	sent := make([]sentProbe, len(groups))
	var wg sync.WaitGroup
	for i, id := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, _ := c.Group(id)
			p := &prober{o: o, c: c, g: g, run: run}
			results[i] = append(p.pop3(ctx), p.smtp(ctx)...)
			sent[i] = p.sent
		}()
	}
	wg.Wait()
	relays := waitRelays(ctx, o, sent)
	var out []ProbeResult
	for i := range groups {
		out = append(out, results[i]...)
		out = append(out, relays[i]...)
	}
	return out
}

// sentProbe is a probe message that a group's server accepted.
type sentProbe struct {
	messageID string
	to        []int // the receiving groups whose RCPT was accepted
	failed    []ProbeResult
}

// prober probes one group's server.
type prober struct {
	o    ProbeOptions
	c    *classroom.Classroom
	g    classroom.Group
	run  string
	sent sentProbe
}

func (p *prober) result(id string, to int, got string, expect i18n.Text, args ...any) ProbeResult {
	r := ProbeResult{Group: p.g.ID, ID: id, To: to, Status: checker.StatusPassed, Expect: inBoth(expect, args...)}
	if got != "" {
		r.Status, r.Got = checker.StatusNotPassed, raw(got)
	}
	return r
}

// conv is a line conversation with a server, each step bounded.
type conv struct {
	c       net.Conn
	r       *bufio.Reader
	timeout time.Duration
}

func dial(ctx context.Context, addr string, timeout time.Duration) (*conv, error) {
	d := net.Dialer{Timeout: timeout}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &conv{c: c, r: bufio.NewReader(c), timeout: timeout}, nil
}

// line reads one line within the timeout (plus extra).
func (v *conv) line(extra time.Duration) (string, error) {
	v.c.SetReadDeadline(time.Now().Add(v.timeout + extra))
	l, err := v.r.ReadString('\n')
	if err != nil {
		if l != "" {
			return strings.TrimRight(l, "\r\n"), nil
		}
		return "", err
	}
	return strings.TrimRight(l, "\r\n"), nil
}

func (v *conv) send(line string) error {
	v.c.SetWriteDeadline(time.Now().Add(v.timeout))
	_, err := v.c.Write([]byte(line + "\r\n"))
	return err
}

// smtpReply reads an SMTP reply, and returns its last line.
func (v *conv) smtpReply() (string, error) {
	for {
		l, err := v.line(0)
		if err != nil {
			return "", err
		}
		if len(l) < 4 || l[3] != '-' {
			return l, nil
		}
	}
}

// timestamp is an RFC 1939 timestamp, a msg-id: <local@domain>.
var timestamp = regexp.MustCompile(`<[^<>@\s]+@[^<>@\s]+>`)

// pop3 runs the POP3 probes in one session: greeting, CAPA, a failed APOP.
func (p *prober) pop3(ctx context.Context) []ProbeResult {
	ids := []string{ProbePOP3Greeting, ProbePOP3CAPA, ProbeAPOPUnknown}
	expects := []i18n.Text{txtExpectPOP3Greeting, txtExpectPOP3Capa, txtExpectAPOPFake}
	addr := p.g.POP3Addr()
	user := checker.ProbeUserPrefix + p.run[:8]
	args := []string{addr, addr, user}
	failAll := func(from int, got string) []ProbeResult {
		var out []ProbeResult
		for i := range ids {
			if i >= from {
				out = append(out, p.result(ids[i], 0, got, expects[i], args[i]))
			}
		}
		return out
	}
	v, err := dial(ctx, addr, p.o.Timeout)
	if err != nil {
		return failAll(0, err.Error())
	}
	defer v.c.Close()
	var out []ProbeResult
	greeting, err := v.line(0)
	if err != nil {
		return failAll(0, err.Error())
	}
	ts := timestamp.FindString(greeting)
	got := ""
	if !strings.HasPrefix(greeting, "+OK") || ts == "" {
		got = greeting
	}
	out = append(out, p.result(ProbePOP3Greeting, 0, got, expects[0], addr))

	if err := v.send("CAPA"); err != nil {
		return append(out, failAll(1, err.Error())...)
	}
	first, err := v.line(0)
	if err != nil {
		return append(out, failAll(1, err.Error())...)
	}
	var capa []string
	if strings.HasPrefix(first, "+OK") {
		for {
			l, err := v.line(0)
			if err != nil {
				return append(out, failAll(1, err.Error())...)
			}
			if l == "." {
				break
			}
			capa = append(capa, l)
		}
	}
	got = ""
	var names []string
	for _, c := range capa {
		names = append(names, strings.ToUpper(strings.Fields(c + " x")[0]))
	}
	for _, need := range []string{"USER", "TOP", "UIDL"} {
		if !slices.Contains(names, need) {
			got = first
			if len(capa) > 0 {
				got = strings.Join(capa, " ")
			}
			break
		}
	}
	out = append(out, p.result(ProbePOP3CAPA, 0, got, expects[1], addr))

	sum := md5.Sum([]byte(ts + p.run))
	if err := v.send("APOP " + user + " " + hex.EncodeToString(sum[:])); err != nil {
		return append(out, failAll(2, err.Error())...)
	}
	// a server that slows down failed logins may take a few seconds
	reply, err := v.line(10 * time.Second)
	if err != nil {
		return append(out, failAll(2, err.Error())...)
	}
	got = ""
	low := strings.ToLower(reply)
	if !strings.HasPrefix(reply, "-ERR") || strings.Contains(low, user) ||
		strings.Contains(low, "no such") || strings.Contains(low, "unknown user") || strings.Contains(low, "not found") {
		got = reply
	}
	out = append(out, p.result(ProbeAPOPUnknown, 0, got, expects[2], user))
	v.send("QUIT")
	v.line(0)
	return out
}

// smtp runs the SMTP probes in one session: greeting, EHLO, postmaster,
// and the probe message to the postmasters of the other groups of the
// cluster, whose arrival waitRelays looks for.
func (p *prober) smtp(ctx context.Context) []ProbeResult {
	addr := p.g.SMTPAddr()
	own := group.Postmaster + "@" + p.c.GroupDomain(p.g.ID)
	peers := p.c.Peers(p.g.ID)
	steps := []struct {
		id     string
		expect i18n.Text
	}{
		{ProbeSMTPGreeting, txtExpectSMTPGreeting},
		{ProbeSMTPEHLO, txtExpectSMTPEHLO},
		{ProbePostmaster, txtExpectPostmaster},
	}
	var out []ProbeResult
	// fail reports the probes from step i on as failed with got, and the
	// relays as not sent.
	fail := func(i int, got string) []ProbeResult {
		for ; i < len(steps); i++ {
			arg := any(addr)
			if steps[i].id == ProbePostmaster {
				arg = own
			}
			out = append(out, p.result(steps[i].id, 0, got, steps[i].expect, arg))
		}
		p.sent.to = nil // no message was sent
		for _, peer := range peers {
			if !slices.ContainsFunc(p.sent.failed, func(r ProbeResult) bool { return r.To == peer }) {
				p.sent.failed = append(p.sent.failed, p.result(ProbeRelay, peer, got, txtExpectRelayAccepted, p.g.ID, peer))
			}
		}
		return out
	}
	v, err := dial(ctx, addr, p.o.Timeout)
	if err != nil {
		return fail(0, err.Error())
	}
	defer v.c.Close()
	greeting, err := v.smtpReply()
	if err != nil {
		return fail(0, err.Error())
	}
	if !strings.HasPrefix(greeting, "220") {
		return fail(0, greeting)
	}
	out = append(out, p.result(ProbeSMTPGreeting, 0, "", steps[0].expect, addr))
	cmd := func(line string) (string, error) {
		if err := v.send(line); err != nil {
			return "", err
		}
		return v.smtpReply()
	}
	reply, err := cmd("EHLO " + p.o.Hello)
	switch {
	case err != nil:
		return fail(1, err.Error())
	case !strings.HasPrefix(reply, "250"):
		return fail(1, reply)
	}
	out = append(out, p.result(ProbeSMTPEHLO, 0, "", steps[1].expect, addr))
	if reply, err = cmd("MAIL FROM:" + ProbeSender); err != nil || !strings.HasPrefix(reply, "250") {
		if err != nil {
			reply = err.Error()
		}
		return fail(2, "MAIL FROM:"+ProbeSender+" → "+reply)
	}
	reply, err = cmd("RCPT TO:<" + own + ">")
	if err != nil {
		return fail(2, err.Error())
	}
	got := ""
	if !strings.HasPrefix(reply, "250") {
		got = reply
	}
	out = append(out, p.result(ProbePostmaster, 0, got, steps[2].expect, own))
	accepted := got == ""
	var rcpts []string
	for _, peer := range peers {
		to := group.Postmaster + "@" + p.c.GroupDomain(peer)
		reply, err := cmd("RCPT TO:<" + to + ">")
		if err != nil {
			return fail(len(steps), err.Error())
		}
		if !strings.HasPrefix(reply, "250") {
			p.sent.failed = append(p.sent.failed, p.result(ProbeRelay, peer, "RCPT TO:<"+to+"> → "+reply, txtExpectRelayAccepted, p.g.ID, peer))
			continue
		}
		p.sent.to = append(p.sent.to, peer)
		rcpts = append(rcpts, to)
	}
	if !accepted && len(rcpts) == 0 {
		cmd("QUIT")
		return out
	}
	notSent := func(got string) []ProbeResult {
		for _, peer := range p.sent.to {
			p.sent.failed = append(p.sent.failed, p.result(ProbeRelay, peer, got, txtExpectRelayAccepted, p.g.ID, peer))
		}
		p.sent.to = nil
		return out
	}
	if reply, err = cmd("DATA"); err != nil || !strings.HasPrefix(reply, "354") {
		if err != nil {
			reply = err.Error()
		}
		return notSent("DATA → " + reply)
	}
	p.sent.messageID = fmt.Sprintf("<probe.%s.g%d@grade.maillab.invalid>", p.run, p.g.ID)
	toField := strings.Join(append([]string{own}, rcpts...), ", ")
	msg := []string{
		"From: lab grade --probe <" + own + ">",
		"To: " + toField,
		"Subject: maillab probe g" + fmt.Sprint(p.g.ID),
		"Date: " + time.Now().Format(time.RFC1123Z),
		"Message-ID: " + p.sent.messageID,
		"X-Maillab-Origin: " + journal.OriginProbe,
		"",
		"This message was sent by the instructor's `lab grade --probe` to check",
		"that mail flows between the groups of a cluster. It counts toward no",
		"exercise; postmaster may delete it.",
		".",
	}
	for _, l := range msg[:len(msg)-1] {
		if strings.HasPrefix(l, ".") {
			l = "." + l
		}
		if err := v.send(l); err != nil {
			return notSent(err.Error())
		}
	}
	if reply, err = cmd("."); err != nil || !strings.HasPrefix(reply, "250") {
		if err != nil {
			reply = err.Error()
		}
		return notSent(". → " + reply)
	}
	cmd("QUIT")
	return out
}

// waitRelays waits until every accepted probe message has arrived at
// each of its receiving groups, has failed there for good, or the wait is
// over; it returns each sending group's relay results, in the order of
// its receiving groups.
func waitRelays(ctx context.Context, o ProbeOptions, sent []sentProbe) [][]ProbeResult {
	groups := o.Reader.Groups()
	type pair struct{ from, to int }
	done := map[pair]ProbeResult{}
	pending := 0
	for _, s := range sent {
		pending += len(s.to)
	}
	deadline := time.Now().Add(o.Wait)
	lastErr := map[pair]string{}
	for pending > 0 {
		o.Reader.Update(ctx, nil)
		for i, s := range sent {
			from := groups[i]
			for _, to := range s.to {
				k := pair{from, to}
				if _, ok := done[k]; ok {
					continue
				}
				r, ok := relayOutcome(o.Reader, from, to, s.messageID, o.Wait, func(why string) { lastErr[k] = why })
				if !ok && o.Reader.Err(to) != nil && lastErr[k] != "" {
					// the receiving server cannot be read, and the
					// sending one could not hand the message over: no
					// need to wait for what cannot be seen
					r.Status, r.Got, ok = checker.StatusNotPassed, inBoth(txtGotDeferred, from, lastErr[k]), true
				}
				if ok {
					done[k] = r
					pending--
				}
			}
		}
		if pending == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	out := make([][]ProbeResult, len(sent))
	for i, s := range sent {
		from := groups[i]
		var rs []ProbeResult
		for _, to := range s.to {
			k := pair{from, to}
			r, ok := done[k]
			if !ok {
				r = ProbeResult{Group: from, ID: ProbeRelay, To: to, Status: checker.StatusNotPassed,
					Expect: inBoth(txtExpectRelayArrived, from, to, o.Wait)}
				switch {
				case lastErr[k] != "":
					r.Got = inBoth(txtGotDeferred, from, lastErr[k])
				case o.Reader.Err(to) != nil:
					r.Status, r.Got = checker.StatusUnknown, inBoth(txtGotUnreadable, to, o.Reader.Err(to))
				default:
					r.Got = inBoth(txtGotNothing, to, from)
				}
			}
			rs = append(rs, r)
		}
		rs = append(rs, s.failed...)
		slices.SortStableFunc(rs, func(a, b ProbeResult) int { return a.To - b.To })
		out[i] = rs
	}
	return out
}

// relayOutcome looks for the probe message id from group from in group
// to's evidence (delivered to postmaster: passed) and in from's (relayed
// and bounced: failed; deferred: the reason, told to deferred).
func relayOutcome(r *Reader, from, to int, id string, wait time.Duration, deferred func(string)) (ProbeResult, bool) {
	res := ProbeResult{Group: from, ID: ProbeRelay, To: to, Expect: inBoth(txtExpectRelayArrived, from, to, wait)}
	for _, e := range r.Events(to) {
		if e.Kind == journal.Delivered && e.MessageID == id && e.User == group.Postmaster {
			res.Status = checker.StatusPassed
			return res, true
		}
	}
	for _, e := range r.Events(from) {
		if e.Kind != journal.Relayed || e.MessageID != id || e.DestGroup != to {
			continue
		}
		switch e.Result {
		case journal.ResultBounced:
			res.Status, res.Got = checker.StatusNotPassed, inBoth(txtGotBounced, from, e.Error)
			return res, true
		case journal.ResultDeferred:
			deferred(e.Error)
		}
	}
	return res, false
}

// nonce is a random word that makes a run's probes unique.
func nonce() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
