// Package terminal is how the lab command's output looks on a terminal:
// whether it is coloured, colours that follow that decision, and how many
// columns a text takes (a Japanese character takes two).
//
// The decision is made once per output, from the output itself and the
// environment, never from the process's own stdout: fatih/color's global
// switch looks at os.Stdout, which is wrong for a command that writes to a
// buffer in tests or colours its stderr apart.
package terminal

import (
	"io"
	"os"
	"strings"

	"github.com/fatih/color"
	"golang.org/x/term"
	"golang.org/x/text/width"
)

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Fd returns the file descriptor of r when r is a terminal, for reading
// a line with no echo or with line editing.
func Fd(r io.Reader) (int, bool) {
	f, ok := r.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}

// ColorWanted reports whether output to w should be coloured: w is a
// terminal, NO_COLOR is unset or empty (https://no-color.org) and TERM is
// not "dumb". getenv reads the environment (os.Getenv, or a test's).
func ColorWanted(w io.Writer, getenv func(string) string) bool {
	return IsTerminal(w) && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// Color returns a colour of the attributes that paints only when on is
// true.
func Color(on bool, attrs ...color.Attribute) *color.Color {
	c := color.New(attrs...)
	if on {
		c.EnableColor()
	} else {
		c.DisableColor()
	}
	return c
}

// Width is the number of terminal columns s takes: two for an East Asian
// wide or full-width character (Unicode's East Asian Width, UAX #11), one
// for any other, ambiguous ones included, as Western terminals show them.
func Width(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// Pad pads s with spaces to cols columns; a longer s is left as it is.
func Pad(s string, cols int) string {
	if n := Width(s); n < cols {
		return s + strings.Repeat(" ", cols-n)
	}
	return s
}
