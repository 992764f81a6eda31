package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ReadSince calls fn, in order, for each event of the journal in the data
// folder dir recorded at or after t (all of them for a zero t). A missing
// journal has none.
func ReadSince(dir string, t time.Time, fn func(Event) error) error {
	f, err := os.Open(filepath.Join(dir, FileName))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	return Read(f, func(e Event) error {
		if e.Time.Before(t) {
			return nil
		}
		return fn(e)
	})
}
