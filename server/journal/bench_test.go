package journal

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// benchEvent is a typical event: a POP3 reply line.
var benchEvent = Event{Kind: Reply, Code: "+OK", Line: "+OK 10470 octets", Session: "pop3-t5x2k1-17", Proto: "pop3", Group: 3}

// BenchmarkEncode compares the journal's encoder with encoding/json, which
// it replaced.
func BenchmarkEncode(b *testing.B) {
	e := benchEvent
	e.Time = time.Now()
	b.Run("appendEvent", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = appendEvent(buf[:0], &e)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		// the honest baseline: one Encoder on one buffer, reused, as a
		// journal built on encoding/json would keep them
		b.ReportAllocs()
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		for b.Loop() {
			buf.Reset()
			if err := enc.Encode(&e); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRecord appends events to a journal file from one session and
// from 16 at once (whose writes the journal shares).
func BenchmarkRecord(b *testing.B) {
	for _, writers := range []int{1, 16} {
		b.Run(map[int]string{1: "1-session", 16: "16-sessions"}[writers], func(b *testing.B) {
			j, err := OpenFile(filepath.Join(b.TempDir(), FileName), 3)
			if err != nil {
				b.Fatal(err)
			}
			defer j.Close()
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			per := b.N / writers
			for w := range writers {
				n := per
				if w == 0 {
					n += b.N % writers
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range n {
						j.Record(benchEvent)
					}
				}()
			}
			wg.Wait()
		})
	}
}

// BenchmarkRecordStuckSubscriber records with a subscriber that never
// returns (a terminal nobody reads): Record costs what it costs without
// one, plus a queue push.
func BenchmarkRecordStuckSubscriber(b *testing.B) {
	j, err := OpenDir(b.TempDir(), 3, Options{})
	if err != nil {
		b.Fatal(err)
	}
	stuck := make(chan struct{})
	j.Subscribe(func(Event) { <-stuck })
	b.ReportAllocs()
	for b.Loop() {
		j.Record(benchEvent)
	}
	b.StopTimer()
	close(stuck)
	j.Close()
}
