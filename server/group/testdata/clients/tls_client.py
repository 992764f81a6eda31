"""Read and send mail over TLS with Python's poplib.stls() and
smtplib.starttls(), verifying the server against a CA file.

usage: tls_client.py pop3|smtp HOST PORT CAFILE SERVERNAME USER PASSWORD [TO]
pop3: STLS, then APOP with the greeting's timestamp, STAT, RETR 1, QUIT.
smtp: EHLO, STARTTLS, EHLO, one message from USER to TO, QUIT.
Prints the TLS version and what the server answered.
"""
import poplib
import smtplib
import ssl
import sys

proto, host, port, cafile, name, user, password = sys.argv[1:8]
ctx = ssl.create_default_context(cafile=cafile)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2

if proto == "pop3":
    pop = poplib.POP3(host, int(port), timeout=10)
    # poplib checks the name against the host it was given; the lab's
    # certificates name the group's domain and its host address
    pop.stls(context=ctx)
    print("tls", pop.sock.version())
    print("capa", sorted(pop.capa()))
    pop.apop(user, password)
    print("stat", *pop.stat())
    resp, lines, _ = pop.retr(1)
    print("retr", resp.decode(), len(lines))
    print(pop.quit().decode())
else:
    to = sys.argv[8]
    with smtplib.SMTP(host, int(port), timeout=10) as s:
        s.ehlo("python.example")
        print("offers starttls", s.has_extn("starttls"))
        s.starttls(context=ctx)
        print("tls", s.sock.version())
        s.ehlo("python.example")
        print("offers starttls after", s.has_extn("starttls"))
        refused = s.sendmail(user, [to], "Subject: from smtplib over TLS\r\n\r\nhello\r\n")
        print("refused", refused)
