package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"maillab/lab/terminal"
	"maillab/server/account"
	"maillab/server/group"
	"maillab/server/journal"
	"maillab/server/maildir"
)

func newUserCommand(e *env) *cli.Command {
	t := func(k string) string { return texts[k].In(e.lang) }
	groupFlag := func() cli.Flag {
		return &cli.IntFlag{Name: "group", Aliases: []string{"g"}, Usage: t("flag-user-group")}
	}
	return &cli.Command{
		Name:  "user",
		Usage: t("user-usage"),
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     t("user-add-usage"),
				UsageText: "lab user add NAME [--group N] [--data DIR]",
				Flags:     []cli.Flag{groupFlag(), dataRootFlag(e), langFlag(e)},
				Action: func(c *cli.Context) error {
					o, err := userSetOptionsOf(c, e)
					if err != nil {
						return err
					}
					return runUserSet(e, o)
				},
			},
			{
				Name:      "passwd",
				Usage:     t("user-passwd-usage"),
				UsageText: "lab user passwd NAME [--group N] [--data DIR]",
				Flags:     []cli.Flag{groupFlag(), dataRootFlag(e), langFlag(e)},
				Action: func(c *cli.Context) error {
					o, err := userSetOptionsOf(c, e)
					if err != nil {
						return err
					}
					o.existing = true
					return runUserSet(e, o)
				},
			},
			{
				Name:      "list",
				Usage:     t("user-list-usage"),
				UsageText: "lab user list [--group N] [--data DIR]",
				Flags:     []cli.Flag{groupFlag(), dataRootFlag(e), langFlag(e)},
				Action: func(c *cli.Context) error {
					if c.NArg() > 0 {
						return usageError{texts["unexpected-args"].F(e.lang, strings.Join(c.Args().Slice(), " "))}
					}
					return runUserList(e, c.String("data"), c.Int("group"))
				},
			},
		},
	}
}

var groupDir = regexp.MustCompile(`^g([1-9][0-9]*)$`)

// groupsIn lists the groups that have a folder under the data root.
func groupsIn(root string) []int {
	entries, _ := os.ReadDir(root)
	var groups []int
	for _, en := range entries {
		if m := groupDir.FindStringSubmatch(en.Name()); m != nil && en.IsDir() {
			n, _ := strconv.Atoi(m[1])
			groups = append(groups, n)
		}
	}
	sort.Ints(groups)
	return groups
}

// pickGroup is --group, or the one group under the data root.
func pickGroup(e *env, root string, n int) (int, error) {
	if n > 0 {
		return n, nil
	}
	if n < 0 {
		return 0, usageError{texts["need-group"].In(e.lang)}
	}
	groups := groupsIn(root)
	if len(groups) == 1 {
		return groups[0], nil
	}
	return 0, usageError{texts["which-group"].F(e.lang, root)}
}

// userSetOptions are the settings of `lab user add` and `lab user passwd`.
type userSetOptions struct {
	name     string // as typed
	root     string // the data root
	group    int    // 0: the one group under root
	existing bool   // passwd: the account must exist; add: it must not
}

func userSetOptionsOf(c *cli.Context, e *env) (userSetOptions, error) {
	if c.NArg() != 1 {
		return userSetOptions{}, usageError{texts["user-one-name"].In(e.lang)}
	}
	return userSetOptions{name: c.Args().First(), root: c.String("data"), group: c.Int("group")}, nil
}

// runUserSet adds an account, or sets the password of one, with the
// password read from a no-echo prompt or stdin.
func runUserSet(e *env, o userSetOptions) error {
	existing, root := o.existing, o.root
	name := account.Normalize(o.name)
	if err := account.CheckName(name); err != nil {
		return failure{texts["bad-name"].F(e.lang, o.name)}
	}
	n, err := pickGroup(e, root, o.group)
	if err != nil {
		return err
	}
	data, err := group.OpenData(root, n, "")
	if err != nil {
		return err
	}
	if !existing {
		if _, err := data.Accounts.Lookup(name); err == nil {
			return failure{texts["user-exists"].F(e.lang, name, n)}
		}
	}
	pw, err := readSecret(e, texts["prompt-password"].F(e.lang, name), texts["prompt-again"].In(e.lang), true)
	if err != nil {
		return err
	}
	if err := account.CheckPassword(pw); err != nil {
		return failure{texts["bad-password"].In(e.lang)}
	}
	j, err := journal.OpenFile(data.JournalPath(), n)
	if err != nil {
		return err
	}
	defer j.Close()
	if existing {
		switch err := data.Accounts.SetPassword(name, pw); {
		case errors.Is(err, account.ErrNoUser):
			return failure{texts["user-missing"].F(e.lang, name, n)}
		case err != nil:
			return err
		}
		j.Record(journal.Event{Kind: journal.Account, User: name, Result: "password"})
		fmt.Fprintln(e.stdout, texts["user-passwd-done"].F(e.lang, name, data.Domain))
		return nil
	}
	switch err := data.AddUser(name, pw, j); {
	case errors.Is(err, account.ErrExists):
		return failure{texts["user-exists"].F(e.lang, name, n)}
	case err != nil:
		return err
	}
	fmt.Fprintln(e.stdout, texts["user-added"].F(e.lang, name, data.Domain))
	return nil
}

func runUserList(e *env, root string, n int) error {
	groups := []int{n}
	if n == 0 {
		groups = groupsIn(root)
		if len(groups) == 0 {
			return failure{texts["no-groups"].F(e.lang, root)}
		}
	}
	t := func(k string) string { return texts[k].In(e.lang) }
	for _, g := range groups {
		data, err := group.OpenData(root, g, "")
		if err != nil {
			return err
		}
		list, err := data.Accounts.List()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s (%s)\n", texts["group-n"].F(e.lang, g), data.Domain)
		if len(list) == 0 {
			fmt.Fprintf(e.stdout, "  %s\n", t("no-accounts"))
			continue
		}
		fmt.Fprintf(e.stdout, "  %s %s %s\n", terminal.Pad(t("col-user"), 16), terminal.Pad(t("col-address"), 28), t("col-messages"))
		for _, a := range list {
			count := "-"
			if msgs, err := maildir.Dir(filepath.Join(data.Dir, "mail", a.Name)).List(); err == nil {
				count = strconv.Itoa(len(msgs))
			}
			fmt.Fprintf(e.stdout, "  %-16s %-28s %s\n", a.Name, a.Name+"@"+data.Domain, count)
		}
	}
	return nil
}

// padWidth and displayWidth are terminal.Pad and terminal.Width under the
// names the grade tables use.
func padWidth(s string, cols int) string { return terminal.Pad(s, cols) }
func displayWidth(s string) int          { return terminal.Width(s) }
