package group

import "maillab/server/journal"

// NoteTelnet is the reason of a note event that says a telnet client sent
// a Telnet command (its name in the event's Line), which the server
// answered and took out of what the student typed.
const NoteTelnet = "telnet"

// maxTelnetNotes is how many Telnet commands of one session are noted:
// enough to explain what telnet did, never a flood in the journal.
const maxTelnetNotes = 8

// telnetNotes records the first Telnet commands of a session.
type telnetNotes struct{ n int }

func (t *telnetNotes) note(j *journal.Session, name string) {
	if t.n >= maxTelnetNotes {
		return
	}
	t.n++
	j.Record(journal.Event{Kind: journal.Note, Reason: NoteTelnet, Line: name})
}
