package main

import (
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"maillab/exercises/i18n"
	"maillab/lab/terminal"
)

// The help templates' own functions, on top of urfave/cli's.
func init() {
	cli.HelpPrinter = func(w io.Writer, tpl string, data any) {
		cli.HelpPrinterCustom(w, tpl, data, helpFuncs)
	}
}

// helpFuncs are the functions the help templates call besides urfave/cli's.
var helpFuncs = map[string]any{"flagLines": flagLines}

// flagLines renders flags in lang, one line each: the names, the
// placeholder when the flag takes a value, then, all at one display
// column (terminal.Width), the usage and the default (none for 0, false
// or empty). The help flag's usage is urfave/cli's own, so it is replaced
// here. Each line begins with a newline and the section's indent.
func flagLines(flags []cli.Flag, lang string) string {
	l := i18n.Lang(lang)
	names := make([]string, len(flags))
	cols := 0
	for i, f := range flags {
		var b strings.Builder
		for j, n := range f.Names() {
			if j > 0 {
				b.WriteString(", ")
			}
			if len(n) > 1 {
				b.WriteString("--")
			} else {
				b.WriteString("-")
			}
			b.WriteString(n)
		}
		if d, ok := f.(cli.DocGenerationFlag); ok && d.TakesValue() {
			b.WriteString(" " + helpFrame["VALUE"].In(l))
		}
		names[i] = b.String()
		cols = max(cols, terminal.Width(names[i]))
	}
	var out strings.Builder
	for i, f := range flags {
		out.WriteString("\n   " + terminal.Pad(names[i], cols+2) + flagUsage(f, l))
	}
	return out.String()
}

// flagUsage is a flag's usage in l, with its default.
func flagUsage(f cli.Flag, l i18n.Lang) string {
	if n := f.Names(); len(n) > 0 && n[0] == "help" {
		return helpFrame["SHOW HELP"].In(l)
	}
	d, ok := f.(cli.DocGenerationFlag)
	if !ok {
		return ""
	}
	u := d.GetUsage()
	if v := d.GetDefaultText(); v != "" && v != "0" && v != "false" && v != `""` {
		u += helpFrame["DEFAULT-OPEN"].In(l) + v + helpFrame["DEFAULT-CLOSE"].In(l)
	}
	return u
}
