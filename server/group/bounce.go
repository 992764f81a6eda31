package group

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"time"

	"maillab/server/account"
	"maillab/server/journal"
	"maillab/server/relay"
)

// bounce returns a report to the sender of a message the relay could not
// deliver: into the sender's mailbox when the sender is a user of this
// group, through the relay when the sender belongs to another classroom
// group; never outside the classroom. A report that could not be delivered
// (null sender) goes to this group's postmaster. A message relayed for a
// client outside the classroom (only postmasters take those) gets no
// report: its sender is unproven.
func (s *Server) bounce(e relay.Entry, failed []relay.Failure, original []byte) error {
	rcpts := make([]string, len(failed))
	for i, f := range failed {
		rcpts[i] = f.Rcpt
	}
	ev := journal.Event{Kind: journal.Bounced, ID: e.ID, MessageID: e.MessageID, From: e.From, Rcpt: rcpts, Reason: failed[0].Status, Error: failed[0].Reply}
	if ip := receivedFrom(original); e.From != "" && ip != nil && !s.mayRelay(&net.TCPAddr{IP: ip}) {
		// Only mail for a postmaster is relayed for a client outside the
		// classroom; its sender is whatever that client said, so a report
		// would carry an outsider's message to someone in the class.
		ev.Result, ev.Reason = "dropped", "sender-outside-classroom"
		s.journal.Record(ev)
		return nil
	}
	now := time.Now()
	id := newID(now)
	msgID := "<" + id + ".bounce@" + s.data.Domain + ">"
	report := relay.BounceMessage(s.data.Domain, e, failed, original, msgID, now)
	local, domain, _ := splitAddr(e.From)
	if e.From == "" || e.Origin == journal.OriginBounce {
		// A report that could not be delivered (a mail loop between
		// groups whose classroom files differ, say): it goes to this
		// group's postmaster, never into the loop again, and is never
		// dropped (as Postfix does with a double bounce).
		local, domain = Postmaster, s.data.Domain
		ev.Reason = "double-bounce"
	}
	switch {
	case strings.EqualFold(domain, s.data.Domain):
		user := account.Normalize(local)
		if _, err := s.data.Accounts.Lookup(user); err != nil && user != Postmaster {
			ev.Result, ev.Reason = "dropped", "no-such-sender"
			s.journal.Record(ev)
			return nil
		}
		mb := s.data.Mailbox(user)
		if err := mb.Create(); err != nil {
			return err
		}
		var hdr bytes.Buffer
		fmt.Fprintf(&hdr, "Return-Path: <>\r\nDelivered-To: %s@%s\r\n", user, s.data.Domain)
		m, err := mb.Deliver(io2(hdr.Bytes(), report))
		if err != nil {
			return err
		}
		ev.Result, ev.User = journal.ResultOK, user
		s.journal.Record(ev)
		s.journal.Record(journal.Event{Kind: journal.Delivered, ID: id, MessageID: msgID, From: "", Rcpt: []string{user + "@" + s.data.Domain}, User: user, UID: uid(m.Key), Size: m.Size, Result: journal.ResultOK, Origin: journal.OriginBounce})
		return nil
	case s.cfg.Classroom != nil && s.cfg.Classroom.GroupOfDomain(domain) != 0:
		g := s.cfg.Classroom.GroupOfDomain(domain)
		be := relay.Entry{ID: id + ".bounce", From: "", Rcpts: []string{e.From}, DestGroup: g, MessageID: msgID, Origin: journal.OriginBounce, Created: now, NextTry: now}
		if err := s.queue.Add(be, bytes.NewReader(report)); err != nil {
			return err
		}
		ev.Result = "queued"
		s.journal.Record(ev)
		s.journal.Record(journal.Event{Kind: journal.Queued, ID: be.ID, MessageID: msgID, Rcpt: be.Rcpts, DestGroup: g, Origin: journal.OriginBounce})
		s.relayer.Kick()
		return nil
	}
	ev.Result, ev.Reason = "dropped", "sender-outside-classroom"
	s.journal.Record(ev)
	return nil
}

// receivedFrom is the client address in the first Received field of a
// queued message, the one this server wrote when it took the message:
// "Received: from HELO ([IP])" (an IPv6 address as "IPv6:…"). It is nil
// when there is none.
func receivedFrom(msg []byte) net.IP {
	line, _, _ := bytes.Cut(msg, []byte("\n"))
	if !bytes.HasPrefix(line, []byte("Received: from ")) {
		return nil
	}
	i := bytes.LastIndex(line, []byte("(["))
	j := bytes.LastIndex(line, []byte("])"))
	if i < 0 || j < i {
		return nil
	}
	return net.ParseIP(strings.TrimPrefix(string(line[i+2:j]), "IPv6:"))
}

func io2(a, b []byte) *bytes.Reader {
	return bytes.NewReader(append(append([]byte{}, a...), b...))
}
