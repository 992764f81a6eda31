package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"maillab/exercises/i18n"
	"maillab/lab/terminal"
)

// Exit codes of the lab command.
const (
	exitOK      = 0
	exitFailure = 1 // something the user can fix
	exitUsage   = 2 // bad usage
)

// env is the world a command runs in; tests give it buffers.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	lang           i18n.Lang
	// class is what the classroom file named on the command line (or by
	// $MAILLAB_CLASSROOM) sets for every command: its lang and data.
	class classSettings
}

// usageError is a mistake in how the command was called (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// failure is an error the user can fix (exit 1); its message is already in
// the user's language.
type failure struct{ msg string }

func (e failure) Error() string { return e.msg }

// run runs the lab command with args (args[0] is the program name) and
// returns the exit code.
func run(ctx context.Context, args []string, e *env) int {
	e.class = classSettingsOf(args, e.getenv)
	e.lang = langOf(args, e.getenv)
	if e.class.Lang != "" && !hasLangFlag(args) {
		if l, err := i18n.Parse(e.class.Lang); err == nil {
			e.lang = l
		}
	}
	app := newApp(e)
	setHelpTemplates(app, e.lang)
	err := app.RunContext(ctx, reorderArgs(app, args))
	if err == nil {
		return exitOK
	}
	var ue usageError
	var ec cli.ExitCoder
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "lab: %s\n%s\n", ue.msg, txtSeeHelp.In(e.lang))
		return exitUsage
	case errors.As(err, &ec):
		if msg := err.Error(); msg != "" {
			fmt.Fprintf(e.stderr, "lab: %s\n", msg)
		}
		return ec.ExitCode()
	case errors.As(err, new(failure)):
		fmt.Fprintf(e.stderr, "lab: %s\n", err) // already in the user's language
		return exitFailure
	default:
		// a Go error, in English: said in a sentence of the user's language
		fmt.Fprintf(e.stderr, "lab: %s\n", txtUnexpectedError.F(e.lang, err))
		return exitFailure
	}
}

// langOf finds --lang among the arguments (so that help and errors are in
// that language too), else takes it from the locale.
func langOf(args []string, getenv func(string) string) i18n.Lang {
	for i, a := range args {
		v, ok := strings.CutPrefix(a, "--lang=")
		if !ok && (a == "--lang" || a == "-lang") && i+1 < len(args) {
			v, ok = args[i+1], true
		}
		if ok {
			if l, err := i18n.Parse(v); err == nil {
				return l
			}
		}
	}
	return i18n.FromEnv(getenv)
}

func newApp(e *env) *cli.App {
	app := &cli.App{
		Name:            "lab",
		Usage:           txtAppUsage.In(e.lang),
		Description:     txtAppDescription.In(e.lang),
		Reader:          e.stdin,
		Writer:          e.stdout,
		ErrWriter:       e.stderr,
		HideHelpCommand: true,
		ExitErrHandler:  func(*cli.Context, error) {}, // run turns errors into exit codes
		OnUsageError:    onUsageError,
		Flags:           []cli.Flag{langFlag(e)}, // so that lab --help --lang ja works
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageError{txtUnknownCommand.F(e.lang, c.Args().First())}
			}
			return cli.ShowAppHelp(c)
		},
		Commands: []*cli.Command{
			newStartCommand(e),
			newUserCommand(e),
			newDigestCommand(e),
			newUpCommand(e),
			newQueueCommand(e),
			newClassroomCommand(e),
			newCACommand(e),
			newTelnetCommand(e),
			newReplayCommand(e),
			newExercisesCommand(e),
			newShowCommand(e),
			newHintCommand(e),
			newCheckCommand(e),
			newDoctorCommand(e),
			newGradeCommand(e),
			newCrackCommand(e),
		},
	}
	setUsageErrors(app.Commands)
	return app
}

func onUsageError(_ *cli.Context, err error, _ bool) error {
	return usageError{err.Error()}
}

func setUsageErrors(cmds []*cli.Command) {
	for _, c := range cmds {
		c.OnUsageError = onUsageError
		setUsageErrors(c.Subcommands)
	}
}

// reorderArgs moves the flags of the command line in front of the
// positional arguments of the (sub)command they belong to, so that
// `lab user add yom --group 3` works as `lab user add --group 3 yom` does:
// people type flags after arguments, and urfave/cli stops reading flags at
// the first argument.
func reorderArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	var cmd *cli.Command
	cmds := app.Commands
	// walk down the command names, which come first
	for len(rest) > 0 {
		next := findCommand(cmds, rest[0])
		if next == nil {
			break
		}
		cmd, cmds = next, next.Subcommands
		out = append(out, rest[0])
		rest = rest[1:]
	}
	var flags []cli.Flag
	if cmd != nil {
		flags = cmd.Flags
	}
	var flagArgs, positional []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			positional = append(positional, rest[i:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' || a == "-" {
			positional = append(positional, a)
			continue
		}
		flagArgs = append(flagArgs, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if takesValue(flags, name) && i+1 < len(rest) {
			flagArgs = append(flagArgs, rest[i+1])
			i++
		}
	}
	out = append(out, flagArgs...)
	return append(out, positional...)
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.Name == name {
			return c
		}
		for _, a := range c.Aliases {
			if a == name {
				return c
			}
		}
	}
	return nil
}

// takesValue says whether the flag called name needs a value after it.
func takesValue(flags []cli.Flag, name string) bool {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				_, isBool := f.(*cli.BoolFlag)
				return !isBool
			}
		}
	}
	return false
}

// hasLangFlag says whether --lang is among the arguments.
func hasLangFlag(args []string) bool {
	for _, a := range args {
		if a == "--lang" || a == "-lang" || strings.HasPrefix(a, "--lang=") || strings.HasPrefix(a, "-lang=") {
			return true
		}
	}
	return false
}

// defaultDataRoot is where groups keep their data without --data:
// $MAILLAB_DATA, else $XDG_DATA_HOME/maillab, else ~/.local/share/maillab
// (the home folder from $HOME, or on Windows, which has no HOME, from
// %USERPROFILE%).
func defaultDataRoot(getenv func(string) string) string {
	if d := getenv("MAILLAB_DATA"); d != "" {
		return d
	}
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "maillab")
	}
	for _, home := range []string{"HOME", "USERPROFILE"} {
		if h := getenv(home); h != "" {
			return filepath.Join(h, ".local", "share", "maillab")
		}
	}
	return "maillab-data"
}

// dataRootFlag is --data, the same on every command.
func dataRootFlag(e *env) *cli.StringFlag {
	if e.class.Data != "" {
		return &cli.StringFlag{Name: "data", Usage: txtFlagData.In(e.lang), Value: e.class.Data, DefaultText: txtDataDefaultClass.F(e.lang, e.class.Data)}
	}
	return &cli.StringFlag{Name: "data", Usage: txtFlagData.In(e.lang), Value: defaultDataRoot(e.getenv), DefaultText: "$MAILLAB_DATA, ~/.local/share/maillab"}
}

func langFlag(e *env) *cli.StringFlag {
	return &cli.StringFlag{Name: "lang", Usage: txtFlagLang.In(e.lang)}
}

// terminalFd returns the file descriptor of r when r is a terminal.
func terminalFd(r io.Reader) (int, bool) { return terminal.Fd(r) }

// isTerminal says whether w is a terminal.
func isTerminal(w io.Writer) bool { return terminal.IsTerminal(w) }

// readSecret reads a password: from a no-echo prompt when stdin is a
// terminal (asked twice when confirm), else the first line of stdin.
func readSecret(e *env, prompt, again string, confirm bool) (string, error) {
	if fd, ok := terminalFd(e.stdin); ok {
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		if confirm {
			fmt.Fprint(e.stderr, again)
			b2, err := term.ReadPassword(fd)
			fmt.Fprintln(e.stderr)
			if err != nil {
				return "", err
			}
			if string(b) != string(b2) {
				return "", failure{txtPasswordMismatch.In(e.lang)}
			}
		}
		return string(b), nil
	}
	var line strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := e.stdin.Read(buf)
		if n > 0 {
			if buf[0] == '\n' {
				break
			}
			line.WriteByte(buf[0])
		}
		if err == io.EOF {
			if line.Len() == 0 {
				return "", failure{txtNoSecret.In(e.lang)}
			}
			break
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimSuffix(line.String(), "\r"), nil
}
