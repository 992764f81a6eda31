"""Fetch mail with Python's poplib, with USER/PASS or APOP.

usage: poplib_client.py HOST PORT USER PASSWORD user|apop
Prints one line per message: its number, its LIST size, the size of what
RETR returned (CRLF lines, as RFC 1939 counts), and its Subject; then the
UIDL list. Deletes nothing.
"""
import poplib
import sys

host, port, user, password, method = sys.argv[1:6]
pop = poplib.POP3(host, int(port), timeout=10)
if method == "apop":
    pop.apop(user, password)
else:
    pop.user(user)
    pop.pass_(password)
count, octets = pop.stat()
print("stat", count, octets)
for entry in pop.list()[1]:
    num, size = entry.split()
    resp, lines, _ = pop.retr(int(num))
    got = sum(len(l) + 2 for l in lines)
    subject = next((l.decode() for l in lines if l.lower().startswith(b"subject:")), "")
    print("msg", int(num), int(size), got, subject)
for entry in pop.uidl()[1]:
    print("uidl", entry.decode())
print(pop.quit().decode())
