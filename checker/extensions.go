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
				return c.t("tls-no-starttls")
			}
			return c.t("tls-no-stls")
		},
		func(s *evidence.Session) string {
			if s.Proto == "smtp" {
				return c.t("tls-smtp-not-sent")
			}
			if s.PassOK || s.APOPOK {
				return c.t("tls-pop3-no-retr", s.User())
			}
			return c.t("tls-pop3-no-login")
		},
		func(*evidence.Session) string { return c.t("tls-no-quit") },
	)
	top, ok := best(sessions, steps, true, c.o.handGap())
	if !ok {
		return missing(c.t("tls-none"))
	}
	return c.byHandResult(top, func(s *evidence.Session, median string) string {
		if s.Proto == "smtp" {
			return c.t("tls-passed-smtp", s.SentFrom, median)
		}
		return c.t("tls-passed-pop3", s.User(), median)
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
		return missing(c.t("weak-no-crack", c.group))
	case !s.st.TLSLoginAfter(c.group, cr.Time):
		return missing(c.t("weak-no-tls", cr.User))
	}
	return passed(c.t("weak-passed", cr.User), "")
}
