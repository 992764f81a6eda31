package console

import (
	"bufio"
	"io"
	"sync"
)

// outputBuffer is how much an Output gathers before it writes anyway.
const outputBuffer = 32 << 10

// Output is the terminal (or file) that the console, the guide and the
// banner share. Lines written outside a batch go out at once; lines
// written during a batch of journal events (Batch) are gathered and
// written together when the batch ends, so that under load the console
// makes one write for many events rather than one for each line. It is
// safe for concurrent use; a writer that blocks (a paused terminal) blocks
// only those writing to it, never the servers, which hand events over
// through the journal's queues.
type Output struct {
	mu      sync.Mutex
	w       *bufio.Writer
	holding int // batches going on
}

// NewOutput returns an Output writing to w.
func NewOutput(w io.Writer) *Output {
	return &Output{w: bufio.NewWriterSize(w, outputBuffer)}
}

// Write writes p: at once, or at the end of the batches going on.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n, err := o.w.Write(p)
	if err == nil && o.holding == 0 {
		err = o.w.Flush()
	}
	return n, err
}

// Batch calls deliver, gathering what is written meanwhile, and writes it
// when deliver returns. Give it to journal.SubscribeBatches beside the
// console's and the guide's Event.
func (o *Output) Batch(deliver func()) {
	o.mu.Lock()
	o.holding++
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		o.holding--
		o.w.Flush()
		o.mu.Unlock()
	}()
	deliver()
}
