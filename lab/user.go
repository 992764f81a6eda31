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
	groupFlag := func() cli.Flag {
		return &cli.IntFlag{Name: "group", Aliases: []string{"g"}, Usage: txtFlagUserGroup.In(e.lang)}
	}
	return &cli.Command{
		Name:  "user",
		Usage: txtUserUsage.In(e.lang),
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     txtUserAddUsage.In(e.lang),
				UsageText: "lab user add NAME [--group N] [--data DIR]\nlab user add NAME --all-groups --classroom FILE [--data DIR]",
				Flags: []cli.Flag{groupFlag(), dataRootFlag(e), langFlag(e),
					&cli.BoolFlag{Name: "all-groups", Usage: txtFlagAllGroups.In(e.lang)},
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
						return usageError{txtClassroomNeedsAllGroups.In(e.lang)}
					}
					return runUserSet(e, o)
				},
			},
			{
				Name:      "passwd",
				Usage:     txtUserPasswdUsage.In(e.lang),
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
				Usage:     txtUserDelUsage.In(e.lang),
				UsageText: "lab user del NAME [--group N] [--data DIR] [--purge]",
				Flags: []cli.Flag{groupFlag(), dataRootFlag(e), langFlag(e),
					&cli.BoolFlag{Name: "purge", Usage: txtFlagPurge.In(e.lang)},
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
				Usage:     txtUserListUsage.In(e.lang),
				UsageText: "lab user list [--group N] [--data DIR]",
				Flags:     []cli.Flag{groupFlag(), dataRootFlag(e), langFlag(e)},
				Action: func(c *cli.Context) error {
					if c.NArg() > 0 {
						return usageError{txtUnexpectedArgs.F(e.lang, strings.Join(c.Args().Slice(), " "))}
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
		return 0, usageError{txtNeedGroup.In(e.lang)}
	}
	groups := groupsIn(root)
	if len(groups) == 1 {
		return groups[0], nil
	}
	return 0, usageError{txtWhichGroup.F(e.lang, root)}
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
		return userSetOptions{}, usageError{txtUserOneName.In(e.lang)}
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
			return failure{txtUserExists.F(e.lang, name, n)}
		}
	}
	pw, err := readSecret(e, txtPromptPassword.F(e.lang, name), txtPromptAgain.In(e.lang), true)
	if err != nil {
		return err
	}
	if err := account.CheckPassword(pw); err != nil {
		return failure{txtBadPassword.In(e.lang)}
	}
	j, err := journal.OpenFile(data.JournalPath(), n)
	if err != nil {
		return err
	}
	defer j.Close()
	if existing {
		switch err := data.Accounts.SetPassword(name, pw); {
		case errors.Is(err, account.ErrNoUser):
			return failure{txtUserMissing.F(e.lang, name, n)}
		case err != nil:
			return err
		}
		j.Record(journal.Event{Kind: journal.Account, User: name, Result: "password"})
		fmt.Fprintln(e.stdout, txtUserPasswdDone.F(e.lang, name, data.Domain))
		return nil
	}
	switch err := data.AddUser(name, pw, j); {
	case errors.Is(err, account.ErrExists):
		return failure{txtUserExists.F(e.lang, name, n)}
	case err != nil:
		return err
	}
	fmt.Fprintln(e.stdout, txtUserAdded.F(e.lang, name, data.Domain))
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
		return "", failure{txtBadName.F(e.lang, typed)}
	}
	if !ok {
		return "", usageError{txtUserLowerCase.F(e.lang, typed, lower)}
	}
	return lower, nil
}

// showFolder prints the data folder a command uses, and warns on stderr
// when no server uses it: the change then reaches no running server,
// which is what happens when --data differs from the server's.
func showFolder(e *env, data *group.Data) {
	fmt.Fprintln(e.stdout, txtUserFolder.F(e.lang, data.Dir))
	if !data.Served() {
		fmt.Fprintln(e.stderr, txtUserNoServer.F(e.lang, data.Dir))
	}
}

// runUserDel deletes an account, keeping its Maildir aside unless purge.
func runUserDel(e *env, o userSetOptions, purge bool, now time.Time) error {
	name, err := checkUserName(e, o.name)
	if err != nil {
		return err
	}
	if name == group.Postmaster {
		return failure{txtUserDelPostmaster.In(e.lang)}
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
		return failure{txtUserMissing.F(e.lang, name, n)}
	}
	j, err := journal.OpenFile(data.JournalPath(), n)
	if err != nil {
		return err
	}
	defer j.Close()
	kept, err := data.DeleteUser(name, purge, now, j)
	switch {
	case errors.Is(err, account.ErrNoUser):
		return failure{txtUserMissing.F(e.lang, name, n)}
	case err != nil:
		return err
	}
	switch {
	case kept != "":
		fmt.Fprintln(e.stdout, txtUserDeletedKept.F(e.lang, name, data.Domain, kept))
	case purge:
		fmt.Fprintln(e.stdout, txtUserDeletedPurged.F(e.lang, name, data.Domain))
	default:
		fmt.Fprintln(e.stdout, txtUserDeleted.F(e.lang, name, data.Domain))
	}
	return nil
}

// runUserAddAll adds the same account, with one password, to every group
// of the classroom: the instructor's own test account. The data root is
// --data, else the classroom's data key, else the default.
func runUserAddAll(e *env, o userSetOptions, path string, dataSet bool) error {
	if path == "" {
		return usageError{txtAllGroupsNeedsClassroom.In(e.lang)}
	}
	if o.group != 0 {
		return usageError{txtAllGroupsAndGroup.In(e.lang)}
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
	pw, err := readSecret(e, txtPromptPassword.F(e.lang, name), txtPromptAgain.In(e.lang), true)
	if err != nil {
		return err
	}
	if err := account.CheckPassword(pw); err != nil {
		return failure{txtBadPassword.In(e.lang)}
	}
	var failed []string
	for _, g := range c.Groups {
		data, err := group.OpenData(root, g.ID, c.GroupDomain(g.ID))
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, txtGroupN.F(e.lang, g.ID))
		showFolder(e, data)
		if err := addOne(data, name, pw); errors.Is(err, account.ErrExists) {
			fmt.Fprintln(e.stderr, txtUserExistsSkipped.F(e.lang, name, g.ID))
			failed = append(failed, strconv.Itoa(g.ID))
			continue
		} else if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, txtUserAdded.F(e.lang, name, data.Domain))
	}
	if len(failed) > 0 {
		return failure{txtUserExistsIn.F(e.lang, name, strings.Join(failed, ", "))}
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
			return failure{txtNoGroups.F(e.lang, root)}
		}
	}
	for _, g := range groups {
		data, err := group.OpenData(root, g, "")
		if err != nil {
			return err
		}
		list, err := data.Accounts.List()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s (%s)\n", txtGroupN.F(e.lang, g), data.Domain)
		fmt.Fprintf(e.stdout, "  ")
		showFolder(e, data)
		if len(list) == 0 {
			fmt.Fprintf(e.stdout, "  %s\n", txtNoAccounts.In(e.lang))
			continue
		}
		fmt.Fprintf(e.stdout, "  %s %s %s\n", terminal.Pad(txtColUser.In(e.lang), 16), terminal.Pad(txtColAddress.In(e.lang), 28), txtColMessages.In(e.lang))
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
