package main

import (
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"maillab/exercises/i18n"
	"maillab/lab/terminal"
)

// helpFrame are the words of the help's frame (headings, the help flag,
// defaults) that urfave/cli would otherwise print in English.
var helpFrame = map[string]i18n.Text{
	"NAME":           {Ja: "名前", En: "NAME"},
	"USAGE":          {Ja: "使い方", En: "USAGE"},
	"DESCRIPTION":    {Ja: "説明", En: "DESCRIPTION"},
	"COMMANDS":       {Ja: "コマンド", En: "COMMANDS"},
	"GLOBAL OPTIONS": {Ja: "全体のオプション", En: "GLOBAL OPTIONS"},
	"OPTIONS":        {Ja: "オプション", En: "OPTIONS"},
	"VALUE":          {Ja: "値", En: "value"},
	"SHOW HELP":      {Ja: "このヘルプを表示します", En: "show help"},
	"DEFAULT-OPEN":   {Ja: "（既定: ", En: " (default: "},
	"DEFAULT-CLOSE":  {Ja: "）", En: ")"},
}

// helpFlags renders .VisibleFlags in the template's language with
// flagLines, not with tabwriter's cells: tabwriter counts runes, and the
// Japanese placeholder 値 takes two terminal columns for one rune.
const helpFlags = `{{flagLines .VisibleFlags "«LANG»"}}`

const helpCommands = `{{ $cv := offsetCommands .VisibleCommands 5}}{{range .VisibleCommands}}
   {{$s := join .Names ", "}}{{$s}}{{ $sp := subtract $cv (offset $s 3) }}{{ indent $sp ""}}{{wrap .Usage $cv}}{{end}}`

const appHelp = `«NAME»:
   {{template "helpNameTemplate" .}}

«USAGE»:
   {{if .UsageText}}{{wrap .UsageText 3}}{{else}}{{.HelpName}} [--lang ja|en] COMMAND ...{{end}}{{if .Description}}

«DESCRIPTION»:
   {{template "descriptionTemplate" .}}{{end}}{{if .VisibleCommands}}

«COMMANDS»:` + helpCommands + `{{end}}{{if .VisibleFlags}}

«GLOBAL OPTIONS»:` + helpFlags + `{{end}}
`

const commandHelp = `«NAME»:
   {{template "helpNameTemplate" .}}

«USAGE»:
   {{template "usageTemplate" .}}{{if .Description}}

«DESCRIPTION»:
   {{template "descriptionTemplate" .}}{{end}}{{if .VisibleFlags}}

«OPTIONS»:` + helpFlags + `{{end}}
`

const subcommandHelp = `«NAME»:
   {{template "helpNameTemplate" .}}

«USAGE»:
   {{template "usageTemplate" .}}{{if .Description}}

«DESCRIPTION»:
   {{template "descriptionTemplate" .}}{{end}}{{if .VisibleCommands}}

«COMMANDS»:` + helpCommands + `{{end}}{{if .VisibleFlags}}

«OPTIONS»:` + helpFlags + `{{end}}
`

// helpTemplate fills a help template's frame words in l.
func helpTemplate(tpl string, l i18n.Lang) string {
	for k, t := range helpFrame {
		tpl = strings.ReplaceAll(tpl, "«"+k+"»", t.In(l))
	}
	return strings.ReplaceAll(tpl, "«LANG»", string(l))
}

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

// setHelpTemplates gives the app and every command the help frame in l.
// The templates are set on each instance, not on urfave/cli's package
// variables, so that two commands run at once in two languages (as tests
// do) do not meet.
func setHelpTemplates(app *cli.App, l i18n.Lang) {
	app.CustomAppHelpTemplate = helpTemplate(appHelp, l)
	var walk func([]*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, c := range cmds {
			if len(c.Subcommands) > 0 {
				c.CustomHelpTemplate = helpTemplate(subcommandHelp, l)
			} else {
				c.CustomHelpTemplate = helpTemplate(commandHelp, l)
			}
			walk(c.Subcommands)
		}
	}
	walk(app.Commands)
}
