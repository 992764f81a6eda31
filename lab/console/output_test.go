package console

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writes records each Write it is given.
type writes struct{ got []string }

func (w *writes) Write(p []byte) (int, error) {
	w.got = append(w.got, string(p))
	return len(p), nil
}

// Outside a batch a line goes out at once; inside, a batch's lines go out
// together when it ends.
func TestOutputBatches(t *testing.T) {
	t.Parallel()
	w := &writes{}
	o := NewOutput(w)
	fmt.Fprint(o, "banner\n")
	if diff := cmp.Diff([]string{"banner\n"}, w.got); diff != "" {
		t.Fatalf("outside a batch (-want +got):\n%s", diff)
	}
	o.Batch(func() {
		fmt.Fprint(o, "C: RETR 1\n")
		fmt.Fprint(o, "S: +OK\n")
		if len(w.got) != 1 {
			t.Errorf("written during the batch: %q", w.got[1:])
		}
	})
	fmt.Fprint(o, "later\n")
	want := []string{"banner\n", "C: RETR 1\nS: +OK\n", "later\n"}
	if diff := cmp.Diff(want, w.got); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}
