package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"maillab/server/classroom"
)

func newClassroomCommand(e *env) *cli.Command {
	t := func(k string) string { return texts[k].In(e.lang) }
	d := classroom.DefaultInit
	return &cli.Command{
		Name:  "classroom",
		Usage: t("classroom-usage"),
		Subcommands: []*cli.Command{{
			Name:      "init",
			Usage:     t("classroom-init-usage"),
			UsageText: "lab classroom init [--groups 9] [--cluster-size 3] [--host-template 127.0.1.{N}] [--domain lab.test] > classroom.toml",
			Flags: []cli.Flag{
				&cli.IntFlag{Name: "groups", Value: d.Groups, Usage: t("flag-groups")},
				&cli.IntFlag{Name: "cluster-size", Value: d.ClusterSize, Usage: t("flag-cluster-size")},
				&cli.StringFlag{Name: "host-template", Value: d.HostTemplate, Usage: t("flag-host-template")},
				&cli.StringFlag{Name: "domain", Value: d.Domain, Usage: t("flag-domain")},
				&cli.StringFlag{Name: "name", Value: d.Name, Usage: t("flag-name")},
				langFlag(e),
			},
			Action: func(c *cli.Context) error {
				if c.NArg() > 0 {
					return usageError{texts["unexpected-args"].F(e.lang, strings.Join(c.Args().Slice(), " "))}
				}
				b, err := classroom.Init(classroom.InitOptions{
					Name:         c.String("name"),
					Domain:       c.String("domain"),
					Groups:       c.Int("groups"),
					ClusterSize:  c.Int("cluster-size"),
					HostTemplate: c.String("host-template"),
				})
				if err != nil {
					return usageError{err.Error()}
				}
				_, err = e.stdout.Write(b)
				return err
			},
		}},
	}
}
