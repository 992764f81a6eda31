package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"maillab/exercises/i18n"
	"maillab/server/certs"
	"maillab/server/classroom"
	"maillab/server/group"
)

// newCACommand is lab ca: the class CA and the groups' certificates, kept
// beside the classroom file.
func newCACommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "ca",
		Usage:       txtCAUsage.In(e.lang),
		UsageText:   "lab ca --classroom FILE",
		Description: txtCADescription.In(e.lang),
		Flags:       []cli.Flag{classroomFlag(e), langFlag(e)},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError{txtUnexpectedArgs.F(e.lang, strings.Join(c.Args().Slice(), " "))}
			}
			path := classroomPath(e, c)
			if path == "" {
				return usageError{txtCANeedsClassroom.In(e.lang)}
			}
			return runCA(e, path, time.Now())
		},
	}
}

// runCA makes the class folder: the CA unless there is one, and each
// group's certificate that is missing or no longer right.
func runCA(e *env, path string, now time.Time) error {
	c, err := loadClassroom(e, path)
	if err != nil {
		return err
	}
	dir := certs.Dir(c.Path)
	res, err := certs.MakeClass(dir, c.Name, groupSpecs(c), now)
	if err != nil {
		return failure{txtCAFailed.F(e.lang, dir, err)}
	}
	var b strings.Builder
	if res.CAMade {
		fmt.Fprintln(&b, txtCAMade.F(e.lang, filepath.Join(dir, certs.CAFile)))
	} else {
		fmt.Fprintln(&b, txtCAKept.F(e.lang, filepath.Join(dir, certs.CAFile)))
	}
	fmt.Fprintf(&b, "  SHA-256 %s\n", certs.Fingerprint(res.CA))
	if len(res.Issued) > 0 {
		fmt.Fprintln(&b, txtCAIssued.F(e.lang, groupList(res.Issued)))
	}
	if len(res.Kept) > 0 {
		fmt.Fprintln(&b, txtCAStillGood.F(e.lang, groupList(res.Kept)))
	}
	g := c.Groups[0]
	certName, keyName := certs.GroupFiles(g.ID)
	fmt.Fprintf(&b, "\n%s\n", txtCANext.F(e.lang, filepath.Base(dir), certs.CAFile, certName, keyName, certs.CAKeyFile))
	fmt.Fprintf(&b, "\n%s\n", txtCATry.F(e.lang, filepath.Join(filepath.Base(dir), certs.CAFile), g.POP3Addr(), g.SMTPAddr(), c.GroupDomain(g.ID)))
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}

// groupSpecs is what each group's certificate must name.
func groupSpecs(c *classroom.Classroom) []certs.GroupSpec {
	specs := make([]certs.GroupSpec, len(c.Groups))
	for i, g := range c.Groups {
		specs[i] = certs.GroupSpec{ID: g.ID, Domain: c.GroupDomain(g.ID), Host: net.ParseIP(g.Host)}
	}
	return specs
}

// groupList is "g1, g2, g3".
func groupList(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = "g" + strconv.Itoa(id)
	}
	return strings.Join(s, ", ")
}

// groupTLS is a group server's TLS: the class CA's certificate for the
// group when the class folder has one, else a self-signed one kept in the
// group's data folder. smtpAddr is where the server will listen; a
// standalone group's certificate names its address.
func groupTLS(e *env, c *classroom.Classroom, data *group.Data, smtpAddr string) (*tls.Config, *x509.CertPool, error) {
	spec := certs.GroupSpec{ID: data.Group, Domain: data.Domain, Host: net.IPv4(127, 0, 0, 1)}
	file := ""
	if c != nil {
		g, _ := c.Group(data.Group)
		spec.Host, file = net.ParseIP(g.Host), c.Path
	} else if host, _, err := net.SplitHostPort(smtpAddr); err == nil {
		if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() {
			spec.Host = ip
		}
	}
	s, err := certs.ForGroup(file, data.Dir, spec, time.Now())
	switch {
	case err != nil && file == "":
		return nil, nil, failure{txtCASelfFailed.F(e.lang, data.Dir, err)}
	case err != nil:
		return nil, nil, failure{txtCABadCert.F(e.lang, err, file)}
	}
	return s.ServerConfig(), s.Roots, nil
}

// tlsBanner is the banner's lines about TLS: whose certificate the server
// has (a self-signed one with its fingerprint, to compare with what a
// client shows) and how to try it.
func tlsBanner(l i18n.Lang, srv *group.Server, c *classroom.Classroom) string {
	leaf := srv.Certificate()
	if leaf == nil {
		return ""
	}
	var b strings.Builder
	if certs.IsSelfSigned(leaf) {
		fmt.Fprintf(&b, "  %-10s %s\n             SHA-256 %s\n", "TLS", txtCABannerTLSSelf.In(l), certs.Fingerprint(leaf))
		fmt.Fprintf(&b, "             openssl s_client -starttls pop3 -crlf -connect %s\n", srv.POP3Addr())
		return b.String()
	}
	ca := "ca.pem"
	if c != nil {
		ca = filepath.Join(certs.Dir(c.Path), certs.CAFile)
	}
	fmt.Fprintf(&b, "  %-10s %s\n", "TLS", txtCABannerTLSClass.F(l, ca))
	fmt.Fprintf(&b, "             openssl s_client -starttls pop3 -crlf -connect %s -CAfile %s\n", srv.POP3Addr(), ca)
	return b.String()
}

// classTLSBanner is lab up's line about TLS: the class CA's certificates,
// or self-signed ones and how to make the CA.
func classTLSBanner(l i18n.Lang, c *classroom.Classroom, servers map[int]*group.Server) string {
	self := false
	for _, srv := range servers {
		leaf := srv.Certificate()
		if leaf == nil {
			return ""
		}
		self = self || certs.IsSelfSigned(leaf)
	}
	if self {
		return "\n  TLS " + txtCABannerUpSelf.F(l, c.Path) + "\n"
	}
	return "\n  TLS " + txtCABannerUpClass.F(l, filepath.Join(certs.Dir(c.Path), certs.CAFile)) + "\n"
}

// The messages of lab ca and of the banner's TLS lines, in both languages.
var (
	txtCAUsage = i18n.Text{
		Ja: "クラスの認証局 (CA) と各班のサーバ証明書を作ります（STLS/STARTTLS 用）",
		En: "make the class certificate authority (CA) and each group's server certificate (for STLS/STARTTLS)",
	}
	txtCADescription = i18n.Text{
		Ja: "クラスファイルの隣のフォルダ（classroom.toml なら classroom-ca/）に、CA の証明書 ca.pem と鍵 ca-key.pem、\n" +
			"各班の証明書 gN.pem と鍵 gN-key.pem を作ります。鍵はモード 0600 で書きます。\n" +
			"もう一度実行しても、CA と正しい証明書はそのままです。足りない証明書と、ホストや期限が合わなくなった証明書だけを作り直します。\n" +
			"lab start --classroom と lab up は、このフォルダに班の証明書があればそれを使います。無ければ自己署名の証明書を作ります。\n" +
			"ca-key.pem は教員の手元にだけ置き、班のマシンには配りません。",
		En: "Makes, in a folder beside the classroom file (classroom.toml → classroom-ca/), the CA's certificate ca.pem and key ca-key.pem,\n" +
			"and each group's certificate gN.pem and key gN-key.pem. Keys are written at mode 0600.\n" +
			"Running it again keeps the CA and every certificate that is still right; it makes only the missing ones and those whose host or lifetime no longer fits.\n" +
			"lab start --classroom and lab up use the group's certificate from that folder when it is there, else a self-signed one.\n" +
			"Keep ca-key.pem on the instructor's machine; never hand it to a group's machine.",
	}
	txtCANeedsClassroom = i18n.Text{
		Ja: "lab ca には --classroom FILE（または環境変数 MAILLAB_CLASSROOM）が必要です",
		En: "lab ca needs --classroom FILE or $MAILLAB_CLASSROOM",
	}
	txtCAFailed = i18n.Text{
		Ja: "%[1]s に証明書を作れませんでした: %[2]v",
		En: "could not make the certificates in %[1]s: %[2]v",
	}
	txtCAMade = i18n.Text{
		Ja: "クラスの CA を作りました: %s",
		En: "Made the class CA: %s",
	}
	txtCAKept = i18n.Text{
		Ja: "クラスの CA はそのまま使います: %s",
		En: "Kept the class CA: %s",
	}
	txtCAIssued = i18n.Text{
		Ja: "証明書を作りました: %s",
		En: "Issued certificates for: %s",
	}
	txtCAStillGood = i18n.Text{
		Ja: "証明書はそのままです: %s",
		En: "Certificates still good: %s",
	}
	txtCANext = i18n.Text{
		Ja: "各班のマシンには、クラスファイルの隣に %[1]s/ フォルダを作り、%[2]s と自分の班の証明書と鍵（1 班なら %[3]s と %[4]s）を置いてください。\n" +
			"%[5]s（CA の鍵）は配らないでください。これがあれば誰でも偽のサーバ証明書を作れます。",
		En: "On each group's machine, make a %[1]s/ folder beside the classroom file holding %[2]s and that group's certificate and key (for group 1: %[3]s and %[4]s).\n" +
			"Do not hand out %[5]s (the CA's key): with it anyone can make a false server certificate.",
	}
	txtCATry = i18n.Text{
		Ja: "試し方（POP3 と SMTP、サーバを起動してから）:\n" +
			"  openssl s_client -starttls pop3 -crlf -connect %[2]s -CAfile %[1]s -verify_hostname %[4]s\n" +
			"  openssl s_client -starttls smtp -crlf -connect %[3]s -CAfile %[1]s -verify_hostname %[4]s",
		En: "To try it (POP3 and SMTP, once the server runs):\n" +
			"  openssl s_client -starttls pop3 -crlf -connect %[2]s -CAfile %[1]s -verify_hostname %[4]s\n" +
			"  openssl s_client -starttls smtp -crlf -connect %[3]s -CAfile %[1]s -verify_hostname %[4]s",
	}
	txtCABadCert = i18n.Text{
		Ja: "班の証明書を使えません: %[1]v\n教員が lab ca --classroom %[2]s をもう一度実行すると作り直されます。",
		En: "cannot use the group's certificate: %[1]v\nThe instructor can issue it again with lab ca --classroom %[2]s.",
	}
	txtCASelfFailed = i18n.Text{
		Ja: "%[1]s に自己署名の証明書を作れませんでした: %[2]v",
		En: "could not make the self-signed certificate in %[1]s: %[2]v",
	}
	txtCABannerTLSSelf = i18n.Text{
		Ja: "STLS/STARTTLS あり（自己署名の証明書。クライアントが表示する指紋と比べてください）",
		En: "STLS/STARTTLS offered (a self-signed certificate: compare the fingerprint your client shows)",
	}
	txtCABannerUpSelf = i18n.Text{
		Ja: "STLS/STARTTLS あり（自己署名の証明書。クラスの CA は lab ca --classroom %s で作れます）",
		En: "STLS/STARTTLS offered (self-signed certificates; lab ca --classroom %s makes a class CA)",
	}
	txtCABannerUpClass = i18n.Text{
		Ja: "STLS/STARTTLS あり（クラスの CA の証明書。確認には %s を使います。班の間の中継も TLS で確認します）",
		En: "STLS/STARTTLS offered (the class CA's certificates; verify them with %s; the relay between groups checks them too)",
	}
	txtCABannerTLSClass = i18n.Text{
		Ja: "STLS/STARTTLS あり（クラスの CA の証明書。確認には %s を使います）",
		En: "STLS/STARTTLS offered (the class CA's certificate; verify it with %s)",
	}
)
