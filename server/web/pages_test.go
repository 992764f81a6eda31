package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/group"
	"maillab/server/journal"
	"maillab/server/web"
)

// A poller pages through a journal that has been rotated into many
// segments (some compressed) and reads every event once, in order; its
// cursor ends at the journal's end as /api/status gives it.
func TestEventsAcrossSegments(t *testing.T) {
	t.Parallel()
	data, err := group.OpenData(t.TempDir(), 3, "")
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.OpenDir(data.Dir, 3, journal.Options{SegmentBytes: 2048})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 200 {
		line := fmt.Sprintf("note %d", i)
		j.Record(journal.Event{Kind: journal.Note, Line: line})
		want = append(want, line)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	h := web.New(web.Config{Data: &data.Folder})
	get := func(url string, v any) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", url, rec.Code, rec.Body)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	var cursor int64
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("the pages never end")
		}
		var page web.Events
		get(fmt.Sprintf("/api/events?after=%d&limit=7", cursor), &page)
		for _, e := range page.Events {
			got = append(got, e.Line)
		}
		cursor = page.Next
		if !page.More {
			break
		}
	}
	var st web.Status
	get("/api/status", &st)
	segs, _ := journal.Segments(data.Dir)
	type outcome struct {
		Lines       []string
		AtEnd, Many bool
	}
	if diff := cmp.Diff(outcome{want, true, true}, outcome{got, cursor == st.JournalEnd, len(segs) > 5}); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
