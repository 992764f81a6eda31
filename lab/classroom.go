package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"maillab/server/classroom"
)

func newClassroomCommand(e *env) *cli.Command {
	d := classroom.DefaultInit
	return &cli.Command{
		Name:  "classroom",
		Usage: txtClassroomUsage.In(e.lang),
		Subcommands: []*cli.Command{{
			Name:  "init",
			Usage: txtClassroomInitUsage.In(e.lang),
			UsageText: "lab classroom init [--groups 9] [--cluster-size 3] [--host-template 127.0.1.{N}] [--domain lab.test]\n" +
				"   [--smtp-port 2525] [--pop3-port 1110] [--web-port 8025] [--lang ja|en] [--data DIR] > classroom.toml",
			Flags: []cli.Flag{
				&cli.IntFlag{Name: "groups", Value: d.Groups, Usage: txtFlagGroups.In(e.lang)},
				&cli.IntFlag{Name: "cluster-size", Value: d.ClusterSize, Usage: txtFlagClusterSize.In(e.lang)},
				&cli.StringFlag{Name: "host-template", Value: d.HostTemplate, Usage: txtFlagHostTemplate.In(e.lang)},
				&cli.StringFlag{Name: "domain", Value: d.Domain, Usage: txtFlagDomain.In(e.lang)},
				&cli.StringFlag{Name: "name", Usage: txtFlagName.In(e.lang)},
				&cli.IntFlag{Name: "smtp-port", Value: classroom.DefaultSMTP, Usage: txtFlagSMTPPort.In(e.lang)},
				&cli.IntFlag{Name: "pop3-port", Value: classroom.DefaultPOP3, Usage: txtFlagPOP3Port.In(e.lang)},
				&cli.IntFlag{Name: "web-port", Value: classroom.DefaultWeb, Usage: txtFlagWebPort.In(e.lang)},
				&cli.StringFlag{Name: "lang", Usage: txtFlagInitLang.In(e.lang)},
				&cli.StringFlag{Name: "data", Usage: txtFlagInitData.In(e.lang)},
			},
			Action: func(c *cli.Context) error {
				if c.NArg() > 0 {
					return usageError{txtUnexpectedArgs.F(e.lang, strings.Join(c.Args().Slice(), " "))}
				}
				for _, f := range []string{"smtp-port", "pop3-port", "web-port"} {
					if p := c.Int(f); p < 1 || p > 65535 {
						return usageError{txtBadPort.F(e.lang, f, p)}
					}
				}
				b, err := classroom.Init(classroom.InitOptions{
					Name:         c.String("name"),
					Domain:       c.String("domain"),
					Groups:       c.Int("groups"),
					ClusterSize:  c.Int("cluster-size"),
					HostTemplate: c.String("host-template"),
					Lang:         c.String("lang"),
					Data:         c.String("data"),
					SMTP:         c.Int("smtp-port"),
					POP3:         c.Int("pop3-port"),
					Web:          c.Int("web-port"),
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
