package evidence_test

import (
	"testing"

	"maillab/server/evidence"
	"maillab/server/journal"
)

// The instructor's probes are told from students' sessions by what they
// send: lab grade --probe's made-up APOP user and messages, lab doctor's
// USER and HELO names.
func TestIsProbe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e    journal.Event
		want bool
	}{
		{journal.Event{Kind: journal.Command, Verb: "APOP", Line: "APOP grade-probe-1a2b ****"}, true},
		{journal.Event{Kind: journal.Command, Verb: "USER", Line: "USER grade-probe-d0c7d0c7"}, true},
		{journal.Event{Kind: journal.Command, Verb: "HELO", Line: "helo grade-probe-d0c7d0c7"}, true},
		{journal.Event{Kind: journal.Login, User: "grade-probe-1a2b", Result: journal.ResultFail}, true},
		{journal.Event{Kind: journal.Accepted, Origin: journal.OriginProbe}, true},
		{journal.Event{Kind: journal.Command, Verb: "USER", Line: "USER yom"}, false},
		{journal.Event{Kind: journal.Command, Verb: "HELO", Line: "HELO student.example"}, false},
		{journal.Event{Kind: journal.Command, Verb: "PASS", Line: "PASS ****"}, false},
		{journal.Event{Kind: journal.Command, Verb: "USER", Line: "USER"}, false},
		{journal.Event{Kind: journal.Reply, Line: "+OK password required for grade-probe-doctor"}, false},
	}
	for _, tt := range tests {
		if got := evidence.IsProbe(tt.e); got != tt.want {
			t.Errorf("IsProbe(%+v) = %v, want %v", tt.e, got, tt.want)
		}
	}
}
