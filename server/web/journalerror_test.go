package web_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/group"
	"maillab/server/web"
)

// /api/status says when the server cannot write its journal, and stops
// saying it once it can.
func TestStatusShowsJournalError(t *testing.T) {
	t.Parallel()
	data, err := group.OpenData(t.TempDir(), 3, "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"failing", errors.New("journal: write journal.jsonl: no space left on device"), "journal: write journal.jsonl: no space left on device"},
		{"well", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := web.New(web.Config{Data: &data.Folder, JournalError: func() error { return tt.err }})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/status", nil))
			var st struct {
				JournalError *string `json:"journal_error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
				t.Fatal(err)
			}
			got := ""
			if st.JournalError != nil {
				got = *st.JournalError
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || rec.Code != http.StatusOK {
				t.Errorf("journal_error (-want +got):\n%s (status %d)", diff, rec.Code)
			}
		})
	}
}
