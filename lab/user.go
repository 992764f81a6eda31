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
	"time"

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
				UsageText: "lab user add NAME [--group N] [--data DIR]\nlab user add NAME --all-groups --classroom FILE [--data DIR]",
				Flags: []cli.Flag{groupFlag(), dataRootFlag(e), langFlag(e),
					&cli.BoolFlag{Name: "all-groups", Usage: t("flag-all-groups")},
					classroomFlag(e),
				},
				Action: func(c *cli.Context) error {
					o, err := userSetOptionsOf(c, e)
					if err != nil {
						return err
					}
					if c.Bool("all-groups") {
						return runUserAddAll(e, o, c.String("classroom"), c.IsSet("data"))
					}
					if c.String("classroom") != "" {
						return usageError{t("classroom-needs-all-groups")}
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
				Name:      "del",
				Usage:     t("user-del-usage"),
				UsageText: "lab user del NAME [--group N] [--data DIR] [--purge]",
				Flags: []cli.Flag{groupFlag(), dataRootFlag(e), langFlag(e),
					&cli.BoolFlag{Name: "purge", Usage: t("flag-purge")},
				},
				Action: func(c *cli.Context) error {
					o, err := userSetOptionsOf(c, e)
					if err != nil {
						return err
					}
					return runUserDel(e, o, c.Bool("purge"), time.Now())
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
	name, err := checkUserName(e, o.name)
	if err != nil {
		return err
	}
	n, err := pickGroup(e, root, o.group)
	if err != nil {
		return err
	}
	data, err := group.OpenData(root, n, "")
	if err != nil {
		return err
	}
	showFolder(e, data)
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

// checkUserName returns the name as typed when it can be a user name. A
// name in upper case is refused with the lower-case one to use (exit 2):
// user names are stored in lower case, and folding it without a word
// would leave the instructor with an account of another name than typed.
// Logins and recipients stay case-insensitive (account.Normalize).
func checkUserName(e *env, typed string) (string, error) {
	lower, ok := account.Lower(typed)
	if err := account.CheckName(lower); err != nil {
		return "", failure{texts["bad-name"].F(e.lang, typed)}
	}
	if !ok {
		return "", usageError{texts["user-lower-case"].F(e.lang, typed, lower)}
	}
	return lower, nil
}

// showFolder prints the data folder a command uses, and warns on stderr
// when no server uses it: the change then reaches no running server,
// which is what happens when --data differs from the server's.
func showFolder(e *env, data *group.Data) {
	fmt.Fprintln(e.stdout, texts["user-folder"].F(e.lang, data.Dir))
	if !data.Served() {
		fmt.Fprintln(e.stderr, texts["user-no-server"].F(e.lang, data.Dir))
	}
}

// runUserDel deletes an account, keeping its Maildir aside unless purge.
func runUserDel(e *env, o userSetOptions, purge bool, now time.Time) error {
	name, err := checkUserName(e, o.name)
	if err != nil {
		return err
	}
	if name == group.Postmaster {
		return failure{texts["user-del-postmaster"].In(e.lang)}
	}
	n, err := pickGroup(e, o.root, o.group)
	if err != nil {
		return err
	}
	data, err := group.OpenData(o.root, n, "")
	if err != nil {
		return err
	}
	showFolder(e, data)
	if _, err := data.Accounts.Lookup(name); errors.Is(err, account.ErrNoUser) {
		return failure{texts["user-missing"].F(e.lang, name, n)}
	}
	j, err := journal.OpenFile(data.JournalPath(), n)
	if err != nil {
		return err
	}
	defer j.Close()
	kept, err := data.DeleteUser(name, purge, now, j)
	switch {
	case errors.Is(err, account.ErrNoUser):
		return failure{texts["user-missing"].F(e.lang, name, n)}
	case err != nil:
		return err
	}
	switch {
	case kept != "":
		fmt.Fprintln(e.stdout, texts["user-deleted-kept"].F(e.lang, name, data.Domain, kept))
	case purge:
		fmt.Fprintln(e.stdout, texts["user-deleted-purged"].F(e.lang, name, data.Domain))
	default:
		fmt.Fprintln(e.stdout, texts["user-deleted"].F(e.lang, name, data.Domain))
	}
	return nil
}

// runUserAddAll adds the same account, with one password, to every group
// of the classroom: the instructor's own test account. The data root is
// --data, else the classroom's data key, else the default.
func runUserAddAll(e *env, o userSetOptions, path string, dataSet bool) error {
	if path == "" {
		return usageError{texts["all-groups-needs-classroom"].In(e.lang)}
	}
	if o.group != 0 {
		return usageError{texts["all-groups-and-group"].In(e.lang)}
	}
	name, err := checkUserName(e, o.name)
	if err != nil {
		return err
	}
	c, err := loadClassroom(e, path)
	if err != nil {
		return err
	}
	root := o.root
	if !dataSet && c.DataRoot() != "" {
		root = c.DataRoot()
	}
	pw, err := readSecret(e, texts["prompt-password"].F(e.lang, name), texts["prompt-again"].In(e.lang), true)
	if err != nil {
		return err
	}
	if err := account.CheckPassword(pw); err != nil {
		return failure{texts["bad-password"].In(e.lang)}
	}
	var failed []string
	for _, g := range c.Groups {
		data, err := group.OpenData(root, g.ID, c.GroupDomain(g.ID))
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, texts["group-n"].F(e.lang, g.ID))
		showFolder(e, data)
		if err := addOne(data, name, pw); errors.Is(err, account.ErrExists) {
			fmt.Fprintln(e.stderr, texts["user-exists-skipped"].F(e.lang, name, g.ID))
			failed = append(failed, strconv.Itoa(g.ID))
			continue
		} else if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, texts["user-added"].F(e.lang, name, data.Domain))
	}
	if len(failed) > 0 {
		return failure{texts["user-exists-in"].F(e.lang, name, strings.Join(failed, ", "))}
	}
	return nil
}

// addOne adds an account to one group's folder, recorded in its journal.
func addOne(data *group.Data, name, pw string) error {
	j, err := journal.OpenFile(data.JournalPath(), data.Group)
	if err != nil {
		return err
	}
	defer j.Close()
	return data.AddUser(name, pw, j)
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
		fmt.Fprintf(e.stdout, "  ")
		showFolder(e, data)
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
