package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"maillab/exercises/i18n"
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
