package group

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"maillab/server/account"
	"maillab/server/journal"
	"maillab/server/relay"
)

// bounce returns a report to the sender of a message the relay could not
// deliver: into the sender's mailbox when the sender is a user of this
// group, through the relay when the sender belongs to another classroom
// group. A message with the null sender (itself a bounce) gets no report.
func (s *Server) bounce(e relay.Entry, failed []relay.Failure, original []byte) error {
	rcpts := make([]string, len(failed))
	for i, f := range failed {
		rcpts[i] = f.Rcpt
	}
	ev := journal.Event{Kind: journal.Bounced, ID: e.ID, MessageID: e.MessageID, From: e.From, Rcpt: rcpts, Reason: failed[0].Status, Error: failed[0].Reply}
	if e.From == "" || e.Origin == journal.OriginBounce {
		ev.Result, ev.Reason = "dropped", "null-sender"
		s.journal.Record(ev)
		return nil
	}
	now := time.Now()
	id := newID(now)
	msgID := "<" + id + ".bounce@" + s.data.Domain + ">"
	report := relay.BounceMessage(s.data.Domain, e, failed, original, msgID, now)
	local, domain, _ := splitAddr(e.From)
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
		fmt.Fprintf(&hdr, "Return-Path: <>\r\nDelivered-To: %s\r\n", e.From)
		m, err := mb.Deliver(io2(hdr.Bytes(), report))
		if err != nil {
			return err
		}
		ev.Result, ev.User = journal.ResultOK, user
		s.journal.Record(ev)
		s.journal.Record(journal.Event{Kind: journal.Delivered, ID: id, MessageID: msgID, From: "", Rcpt: []string{e.From}, User: user, UID: uid(m.Key), Size: m.Size, Result: journal.ResultOK, Origin: journal.OriginBounce})
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

func io2(a, b []byte) *bytes.Reader {
	return bytes.NewReader(append(append([]byte{}, a...), b...))
}
