package checker

// The extension exercises, beyond the handout (graded apart from the six):
//
//	tls-telnet     on any server read, a session of the group's typed by hand
//	               after STLS/STARTTLS: for POP3 a login and RETR, for SMTP a
//	               message accepted; then QUIT
//	apop-weakness  on the group's server, a test account's APOP digest
//	               recovered with lab crack (its crack event), and afterwards
//	               a POP3 session of the group that logged in over STLS

import (
	"maillab/exercises"
	"maillab/server/evidence"
)

// Extensions checks group's extension exercises against the evidence:
// Check with the extension ids.
func Extensions(ev *Evidence, group int, o Options) Report {
	o.IDs = exercises.ExtensionIDs()
	return Check(ev, group, o)
}

// extension checks an extension exercise, or says there is no such one.
func (c *check) extension(id string) Result {
	switch id {
	case exercises.TLSTelnet:
		return c.tlsTelnet()
	case exercises.APOPWeakness:
		return c.apopWeakness()
	}
	return Result{Status: StatusUnknown, Detail: "checker: no such exercise: " + id}
}

func (c *check) tlsTelnet() Result {
	var sessions []*evidence.Session
	for _, id := range c.ev.Groups() {
		if s := c.ev.servers[id]; s.err == nil {
			sessions = append(sessions, s.st.Candidates(evidence.TLSTelnet, c.group)...)
		}
	}
	steps := stepsOf(evidence.TLSTelnet,
		func(s *evidence.Session) string {
			if s.Proto == "smtp" {
				return txtTLSNoSTARTTLS.In(c.l)
			}
			return txtTLSNoSTLS.In(c.l)
		},
		func(s *evidence.Session) string {
			if s.Proto == "smtp" {
				return txtTLSSMTPNotSent.In(c.l)
			}
			if s.PassOK || s.APOPOK {
				return txtTLSPOP3NoRetr.F(c.l, s.User())
			}
			return txtTLSPOP3NoLogin.In(c.l)
		},
		func(*evidence.Session) string { return txtTLSNoQuit.In(c.l) },
	)
	top, ok := best(sessions, steps, true, c.o.handGap())
	if !ok {
		return missing(txtTLSNone.In(c.l))
	}
	return c.byHandResult(top, func(s *evidence.Session, median string) string {
		if s.Proto == "smtp" {
			return txtTLSPassedSMTP.F(c.l, s.SentFrom, median)
		}
		return txtTLSPassedPOP3.F(c.l, s.User(), median)
	})
}

func (c *check) apopWeakness() Result {
	s, bad := c.own()
	if bad != nil {
		return *bad
	}
	cr := s.st.Crack
	switch {
	case cr == nil:
		return missing(txtWeakNoCrack.F(c.l, c.group))
	case !s.st.TLSLoginAfter(c.group, cr.Time):
		return missing(txtWeakNoTLS.F(c.l, cr.User))
	}
	return passed(txtWeakPassed.F(c.l, cr.User), "")
}
