package console

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"maillab/checker/checkertest"
	"maillab/exercises/i18n"
	"maillab/server/evidence"
)

// BenchmarkHistory is the cost of a session on a group's server run as
// students run it — the console and the guide on, their output going to a
// file — after a history of 1,000, 10,000 and 100,000 sessions (quick
// POP3 sessions from the group's machine: USER, PASS, STAT, QUIT). Neither
// ns/op (one session) nor rss-MiB (this process's resident memory, where
// it can be read) should grow with the history. Run it with a fixed count,
// as the history grows with every session it times:
//
//	go test ./lab/console -run - -bench History -benchtime 2000x
func BenchmarkHistory(b *testing.B) {
	lab := checkertest.Start(b, checkertest.Config{Groups: []int{3}, NoWeb: true})
	g3 := lab.Groups[3]
	out, err := os.Create(filepath.Join(b.TempDir(), "console.out"))
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	con := New(out, i18n.En, false)
	guide := NewGuide(out, i18n.En, false, GuideOptions{Groups: []int{3}, Classroom: lab.Classroom,
		Evidence: map[int]*evidence.Tracker{3: g3.Server.Evidence()}})
	g3.Server.Journal().Subscribe(con.Event)
	g3.Server.Journal().Subscribe(guide.Event)
	quick := checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(),
		Lines: []string{"user yom", "pass " + g3.Passwords["yom"], "stat", "quit"}}
	sessions := 0
	for _, n := range []int{1000, 10000, 100000} {
		b.Run("sessions="+strconv.Itoa(n), func(b *testing.B) {
			for ; sessions < n; sessions++ {
				checkertest.Type(b, quick)
			}
			b.ResetTimer()
			for range b.N {
				checkertest.Type(b, quick)
			}
			sessions += b.N
			b.StopTimer()
			if rss := residentMiB(); rss > 0 {
				b.ReportMetric(rss, "rss-MiB")
			}
		})
	}
}

// residentMiB is the process's resident memory (Linux), or 0.
func residentMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if f := bytes.Fields(line); len(f) >= 2 && string(f[0]) == "VmRSS:" {
			kib, _ := strconv.ParseFloat(string(f[1]), 64)
			return kib / 1024
		}
	}
	return 0
}
