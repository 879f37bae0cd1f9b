#!/usr/bin/env python3
"""Writes fixtures/rules/<rule>/{bad,ok}.xml: per rule a document that fires it and the same
document fixed. Run from the repository root; edit the pairs here, not the files."""
import os

RESP_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
OUT_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
REQ_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
MREQ_NS = "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006"
MRESP_NS = "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"
DECL = '<?xml version="1.0" encoding="utf-8"?>\n'


def indent(text, n):
    return "\n".join((" " * n + line) if line else line for line in text.strip("\n").split("\n"))


def proto(kind, body):
    inner = f"<Type>{kind}</Type>\n{body.strip()}" if kind else body.strip()
    return f"<Protocol>\n{indent(inner, 2)}\n</Protocol>"


IMAP = proto("IMAP", """
<Server>imap.example.org</Server>
<Port>993</Port>
<LoginName>jane@example.org</LoginName>
<SPA>off</SPA>
<SSL>on</SSL>
<AuthRequired>on</AuthRequired>
""")
SMTP = proto("SMTP", """
<Server>smtp.example.org</Server>
<Port>465</Port>
<LoginName>jane@example.org</LoginName>
<SPA>off</SPA>
<SSL>on</SSL>
<AuthRequired>on</AuthRequired>
""")


def resp(account_body, account_head="<AccountType>email</AccountType>\n<Action>settings</Action>",
         response_extra="", response_ns=OUT_NS, root_ns=RESP_NS):
    account = f"<Account>\n{indent(account_head + chr(10) + account_body.strip(), 2)}\n</Account>"
    body = (response_extra.strip() + "\n" + account) if response_extra.strip() else account
    return (DECL + f'<Autodiscover xmlns="{root_ns}">\n'
            + f'  <Response xmlns="{response_ns}">\n{indent(body, 4)}\n  </Response>\n</Autodiscover>\n')


def settings(*protocols):
    return resp("\n".join(protocols))


def req(body, ns=REQ_NS):
    return (DECL + f'<Autodiscover xmlns="{ns}">\n  <Request>\n{indent(body, 4)}\n  </Request>\n</Autodiscover>\n')


ARS = f"<AcceptableResponseSchema>{OUT_NS}</AcceptableResponseSchema>"
GOOD_REQ = req(f"<EMailAddress>jane@example.org</EMailAddress>\n{ARS}")


def error_resp(error_attrs='Time="09:12:44.1234567" Id="2874563190"', code="600", extra=""):
    return (DECL + f'<Autodiscover xmlns="{RESP_NS}">\n  <Response xmlns="{RESP_NS}">\n'
            f'    <Error {error_attrs}>\n      <ErrorCode>{code}</ErrorCode>\n'
            f'      <Message>Invalid Request</Message>\n      <DebugData />\n{extra}    </Error>\n'
            '  </Response>\n</Autodiscover>\n')


def mobile(server_body, extra=""):
    return (DECL + f'<Autodiscover xmlns="{RESP_NS}">\n  <Response xmlns="{MRESP_NS}">\n'
            f'    <Culture>en:us</Culture>\n    <User>\n      <DisplayName>Jane Doe</DisplayName>\n'
            f'      <EMailAddress>jane@example.org</EMailAddress>\n    </User>\n{extra}'
            f'    <Action>\n      <Settings>\n        <Server>\n{indent(server_body, 10)}\n'
            '        </Server>\n      </Settings>\n    </Action>\n  </Response>\n</Autodiscover>\n')


MOBILE_SERVER = ("<Type>MobileSync</Type>\n<Url>https://eas.example.org/Microsoft-Server-ActiveSync</Url>\n"
                 "<Name>https://eas.example.org/Microsoft-Server-ActiveSync</Name>")


def sub(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)


def imap_with(old, new):
    return settings(sub(IMAP, old, new))


def exch(body):
    return proto("EXCH", "<Server>mbx.example.org</Server>\n<AuthPackage>Ntlm</AuthPackage>\n" + body)


WEB_SNIPPET = proto("WEB", """
<External>
  <OWAUrl AuthenticationMethod="Basic, Fba">https://mail.example.org/owa/</OWAUrl>
  <Protocol>
    <Type>EXPR</Type>
    <ASUrl>https://mail.example.org/EWS/Exchange.asmx</ASUrl>
  </Protocol>
</External>
""")

P = {}
GOOD = settings(IMAP, SMTP)

P["invalid-utf8"] = (None, None)  # bytes, written below
P["not-utf8"] = (None, None)
P["encoding-mismatch"] = (
    sub(settings(sub(IMAP, "jane@example.org", "jöns@example.org")), 'encoding="utf-8"', 'encoding="iso-8859-1"'),
    settings(sub(IMAP, "jane@example.org", "jöns@example.org")))
P["malformed-xml"] = (sub(GOOD_REQ, "jane@example.org</EMailAddress>", "jane@example.org</Request>"), GOOD_REQ)
P["doctype-not-allowed"] = (
    sub(GOOD_REQ, DECL, DECL + '<!DOCTYPE Autodiscover [<!ENTITY who "jane">]>\n'), GOOD_REQ)
P["not-autodiscover"] = (
    "<!DOCTYPE html>\n<html>\n  <head><title>Sign in</title></head>\n  <body>Please sign in</body>\n</html>\n",
    GOOD_REQ)
P["missing-autodiscover-root"] = (IMAP + "\n", settings(IMAP))
P["missing-namespace"] = (sub(GOOD_REQ, f' xmlns="{REQ_NS}"', ""), GOOD_REQ)
P["wrong-namespace"] = (sub(GOOD, f'<Response xmlns="{OUT_NS}">', "<Response>"), GOOD)
P["https-namespace"] = (sub(GOOD, f'xmlns="{OUT_NS}"', f'xmlns="{OUT_NS.replace("http://", "https://")}"'), GOOD)
# A suppression whose rule does not fire on the next element; fixed, it silences one that does.
P["unused-suppression"] = (
    imap_with("<SSL>on</SSL>", "<!-- adinspect: ignore invalid-on-off -->\n<SSL>on</SSL>"),
    imap_with("<SSL>on</SSL>", "<!-- adinspect: ignore invalid-on-off -->\n<SSL>yes</SSL>"))
P["spa-by-default"] = (sub(GOOD, "        <SPA>off</SPA>\n", ""), GOOD)
P["multiple-accounts"] = (
    resp(IMAP).replace("    </Account>\n", "    </Account>\n    <Account>\n      <AccountType>email</AccountType>\n"
                       "      <Action>settings</Action>\n" + indent(SMTP, 6) + "\n    </Account>\n", 1),
    settings(IMAP, SMTP))
P["misplaced-element"] = (
    sub(GOOD_REQ, f"  <Request>\n", f"  {ARS}\n  <Request>\n").replace(f"    {ARS}\n", "", 1), GOOD_REQ)
P["unknown-element"] = (imap_with("<SPA>off</SPA>", "<SPA>off</SPA>\n  <Compression>on</Compression>"), GOOD)
P["element-name-case"] = (
    resp("<RedirectURL>https://autodiscover.example.net/autodiscover/autodiscover.xml</RedirectURL>",
         account_head="<AccountType>email</AccountType>\n<Action>redirectUrl</Action>"),
    resp("<RedirectUrl>https://autodiscover.example.net/autodiscover/autodiscover.xml</RedirectUrl>",
         account_head="<AccountType>email</AccountType>\n<Action>redirectUrl</Action>"))
P["element-in-wrong-document"] = (
    sub(GOOD_REQ, "<EMailAddress>jane@example.org</EMailAddress>",
        "<EMailAddress>jane@example.org</EMailAddress>\n    <AccountType>email</AccountType>"), GOOD_REQ)
P["undocumented-element"] = (
    settings(exch("<ServerExclusiveConnect>off</ServerExclusiveConnect>")), settings(exch("<TTL>1</TTL>")))
P["duplicate-element"] = (imap_with("<Port>993</Port>", "<Port>993</Port>\n  <Port>143</Port>"), GOOD)
P["text-in-container"] = (imap_with("<Server>", "{{server}}\n  <Server>"), GOOD)
P["children-in-value"] = (imap_with("<Server>imap.example.org</Server>",
                                    "<Server><Name>imap.example.org</Name></Server>"), GOOD)
P["undocumented-attribute"] = (imap_with("<Port>993</Port>", '<Port secure="yes">993</Port>'), GOOD)
P["missing-element"] = (resp(IMAP, account_head="<AccountType>email</AccountType>"), settings(IMAP))
P["empty-value"] = (imap_with("<SSL>on</SSL>", "<SSL></SSL>"), GOOD)
P["empty-setting"] = (imap_with("<LoginName>jane@example.org</LoginName>", "<LoginName></LoginName>"), GOOD)
P["value-whitespace"] = (imap_with("<Port>993</Port>", "<Port> 993\n  </Port>"), imap_with("<Port>993</Port>", "<Port>993</Port>"))
# The fix writes "on"; Exchange's own "On" is accepted too (tests/precision.rs and fix.rs).
P["invalid-on-off"] = (imap_with("<SSL>on</SSL>", "<SSL>yes</SSL>"), imap_with("<SSL>on</SSL>", "<SSL>on</SSL>"))
P["invalid-true-false"] = (resp(IMAP, account_head="<AccountType>email</AccountType>\n<Action>settings</Action>\n<MicrosoftOnline>no</MicrosoftOnline>"),
                           resp(IMAP, account_head="<AccountType>email</AccountType>\n<Action>settings</Action>\n<MicrosoftOnline>False</MicrosoftOnline>"))
P["port-out-of-range"] = (imap_with("<Port>993</Port>", "<Port>0</Port>"), GOOD)
P["invalid-ttl"] = (imap_with("<Port>993</Port>", "<Port>993</Port>\n  <TTL>1h</TTL>"),
                    imap_with("<Port>993</Port>", "<Port>993</Port>\n  <TTL>0</TTL>"))
EXPR_EWS = proto("EXPR", "<Server>mail.example.org</Server>\n<SSL>On</SSL>\n<AuthPackage>Basic</AuthPackage>\n"
                 "<EwsUrl>https://mail.example.org/EWS/Exchange.asmx</EwsUrl>")
P["invalid-url"] = (settings(sub(EXPR_EWS, "https://mail.example.org/EWS", "https:/mail.example.org/EWS")), settings(EXPR_EWS))
ECP = "<EcpUrl>https://mail.example.org/ecp/</EcpUrl>\n"
P["absolute-ecp-fragment"] = (
    settings(sub(EXPR_EWS, "<EwsUrl>", ECP + "<EcpUrl-um>https://mail.example.org/ecp/?p=customize/voicemail.aspx</EcpUrl-um>\n<EwsUrl>")),
    settings(sub(EXPR_EWS, "<EwsUrl>", ECP + "<EcpUrl-um>?p=customize/voicemail.aspx</EcpUrl-um>\n<EwsUrl>")))
P["invalid-email"] = (sub(GOOD_REQ, "jane@example.org", "jane"), GOOD_REQ)
USER = "<User>\n  <DisplayName>Jane Doe</DisplayName>\n  <DeploymentId>{}</DeploymentId>\n</User>"
P["invalid-guid"] = (resp(IMAP, response_extra=USER.format("5f2b8d0e-7c1a-4e39-9d54-0b6c3a1e8f27a")),
                     resp(IMAP, response_extra=USER.format("5f2b8d0e-7c1a-4e39-9d54-0b6c3a1e8f27")))
P["invalid-server-version"] = (settings(exch("<ServerVersion>15.1.2507</ServerVersion>")),
                               settings(exch("<ServerVersion>73C18880</ServerVersion>")))
P["invalid-legacy-dn"] = (sub(GOOD_REQ, "<EMailAddress>jane@example.org</EMailAddress>", "<LegacyDN>cn=jane,dc=example,dc=org</LegacyDN>"),
                          sub(GOOD_REQ, "<EMailAddress>jane@example.org</EMailAddress>", "<LegacyDN>/o=Example/ou=Exchange Administrative Group/cn=Recipients/cn=jane</LegacyDN>"))
NETREQ = "<NetworkRequirements>\n  <IPv4Start>{}</IPv4Start>\n  <IPv4End>{}</IPv4End>\n</NetworkRequirements>"
P["invalid-ip-address"] = (imap_with("<SPA>off</SPA>", NETREQ.format("10.0.0.300", "10.0.255.255") + "\n  <SPA>off</SPA>"),
                           imap_with("<SPA>off</SPA>", NETREQ.format("10.0.0.0", "10.0.255.255") + "\n  <SPA>off</SPA>"))
P["invalid-ip-range"] = (imap_with("<SPA>off</SPA>", NETREQ.format("10.0.255.255", "10.0.0.0") + "\n  <SPA>off</SPA>"),
                         imap_with("<SPA>off</SPA>", NETREQ.format("10.0.0.0", "10.0.255.255") + "\n  <SPA>off</SPA>"))
P["invalid-error-code"] = (error_resp(code="Invalid"), error_resp())
P["unknown-error-code"] = (error_resp(code="404"), error_resp(code="603"))
P["invalid-culture"] = (sub(mobile(MOBILE_SERVER), "en:us", "english"), mobile(MOBILE_SERVER))
P["unknown-protocol-type"] = (settings(sub(IMAP, "<Type>IMAP</Type>", "<Type>IMAP4</Type>")), GOOD)
P["rare-protocol-type"] = (settings(IMAP, proto("NNTP", "<Server>news.example.org</Server>\n<Port>563</Port>")), GOOD)
P["invalid-account-type"] = (resp(IMAP, account_head="<AccountType>imap</AccountType>\n<Action>settings</Action>"), settings(IMAP))
P["invalid-action"] = (resp(IMAP, account_head="<AccountType>email</AccountType>\n<Action>config</Action>"), settings(IMAP))
P["invalid-auth-package"] = (settings(sub(exch(""), "Ntlm", "Digest")), settings(sub(exch(""), "Ntlm", "Negotiate")))
P["undocumented-auth-package"] = (settings(sub(exch(""), "Ntlm", "Anonymous")), settings(exch("")))
P["invalid-encryption"] = (settings(IMAP, sub(SMTP, "<SSL>on</SSL>", "<Encryption>STARTTLS</Encryption>").replace("465", "587")),
                           settings(IMAP, sub(SMTP, "<SSL>on</SSL>", "<Encryption>TLS</Encryption>").replace("465", "587")))
P["non-canonical-case"] = (resp(IMAP, account_head="<AccountType>email</AccountType>\n<Action>Settings</Action>"), settings(IMAP))
P["invalid-owa-auth-method"] = (settings(sub(WEB_SNIPPET, "Basic, Fba", "Basic, Password")), settings(WEB_SNIPPET))
P["invalid-error-time"] = (error_resp(error_attrs='Time="09:12:440.123456" Id="2874563190"'), error_resp())
P["invalid-error-id"] = (error_resp(error_attrs='Time="09:12:44.1234567" Id="9874563190"'), error_resp())
P["protocol-without-type"] = (settings(proto(None, IMAP.split("<Type>IMAP</Type>")[1].split("</Protocol>")[0])), GOOD)
MAPI = ('<Protocol Type="mapiHttp" Version="1">\n  <MailStore>\n'
        '    <ExternalUrl>https://mail.example.org/mapi/emsmdb/?MailboxId=4d7f0a3e-2c4b-4f0e-9a61-3b8e5c2d1f07@example.org</ExternalUrl>\n'
        '  </MailStore>\n</Protocol>')
P["invalid-mapihttp-attribute"] = (settings(MAPI.replace('Version="1"', 'Version="one"')), settings(MAPI))
P["mapihttp-element-outside-mapihttp"] = (settings(MAPI.replace(' Type="mapiHttp" Version="1"', "").replace("<Protocol>\n", "<Protocol>\n  <Type>EXHTTP</Type>\n")), settings(MAPI))
P["nested-protocol-extra-element"] = (
    settings(sub(WEB_SNIPPET, "<Type>EXPR</Type>", "<Type>EXPR</Type>\n    <Server>mail.example.org</Server>")),
    settings(WEB_SNIPPET))
P["use-pop-auth-outside-smtp"] = (settings(IMAP.replace("</Protocol>", "  <UsePOPAuth>on</UsePOPAuth>\n</Protocol>"), SMTP),
                                  settings(IMAP, SMTP.replace("</Protocol>", "  <UsePOPAuth>off</UsePOPAuth>\n</Protocol>")))
P["smtp-last-outside-smtp"] = (settings(IMAP.replace("</Protocol>", "  <SMTPLast>off</SMTPLast>\n</Protocol>"), SMTP),
                               settings(IMAP, SMTP.replace("</Protocol>", "  <SMTPLast>off</SMTPLast>\n</Protocol>")))
P["server-dn-outside-exch"] = (
    settings(EXPR_EWS.replace("</Protocol>", "  <ServerDN>/o=Example/ou=Exchange Administrative Group/cn=Configuration/cn=Servers/cn=MBX01</ServerDN>\n</Protocol>")),
    settings(exch("<ServerDN>/o=Example/ou=Exchange Administrative Group/cn=Configuration/cn=Servers/cn=MBX01</ServerDN>")))
P["exchange-setting-outside-exchange"] = (settings(IMAP.replace("</Protocol>", "  <AuthPackage>basic</AuthPackage>\n</Protocol>")),
                                          settings(IMAP))
P["grouping-information-outside-expr"] = (settings(exch("<GroupingInformation>EMEA</GroupingInformation>")),
                                          settings(EXPR_EWS.replace("</Protocol>", "  <GroupingInformation>EMEA</GroupingInformation>\n</Protocol>")))
P["encryption-outside-isp"] = (settings(EXPR_EWS.replace("<SSL>On</SSL>", "<Encryption>SSL</Encryption>")), settings(EXPR_EWS))
P["invalid-server"] = (imap_with("imap.example.org", "imapexampleorg"), GOOD)
P["port-ignored"] = (settings(proto("DAV", "<Server>https://dav.example.org/</Server>\n<Port>443</Port>")),
                     settings(proto("DAV", "<Server>https://dav.example.org/</Server>")))
P["tls-mode-port-mismatch"] = (settings(IMAP, SMTP.replace("465", "587")),
                               settings(IMAP, sub(SMTP, "<SSL>on</SSL>", "<Encryption>TLS</Encryption>").replace("465", "587")))
P["ssl-encryption-conflict"] = (settings(IMAP, sub(SMTP, "<SSL>on</SSL>", "<SSL>off</SSL>\n  <Encryption>TLS</Encryption>").replace("465", "587")),
                                settings(IMAP, sub(SMTP, "<SSL>on</SSL>", "<SSL>on</SSL>\n  <Encryption>TLS</Encryption>").replace("465", "587")))
P["cleartext-credentials"] = (settings(IMAP.replace("<SSL>on</SSL>", "<SSL>off</SSL>").replace("993", "143")),
                              settings(IMAP.replace("<SSL>on</SSL>", "<Encryption>TLS</Encryption>").replace("993", "143")))
P["cert-principal-without-ssl"] = (
    settings(IMAP.replace("<SSL>on</SSL>", "<SSL>off</SSL>\n  <CertPrincipalName>msstd:imap.example.org</CertPrincipalName>").replace("<AuthRequired>on", "<AuthRequired>off").replace("993", "143")),
    settings(IMAP.replace("<SSL>on</SSL>", "<SSL>on</SSL>\n  <CertPrincipalName>msstd:imap.example.org</CertPrincipalName>")))
POP3 = proto("POP3", "<Server>pop.example.org</Server>\n<Port>995</Port>\n<LoginName>jane@example.org</LoginName>\n<SPA>off</SPA>\n<SSL>on</SSL>\n<AuthRequired>on</AuthRequired>")
SMTP_POPAUTH = SMTP.replace("</Protocol>", "  <UsePOPAuth>on</UsePOPAuth>\n</Protocol>")
P["use-pop-auth-without-pop3"] = (settings(IMAP, SMTP_POPAUTH), settings(POP3, SMTP_POPAUTH))
P["settings-without-protocol"] = (resp("<MicrosoftOnline>false</MicrosoftOnline>"), settings(IMAP))
REDIR_HEAD = "<AccountType>email</AccountType>\n<Action>redirectAddr</Action>"
P["redirect-without-target"] = (
    resp("<RedirectUrl>https://autodiscover.example.net/autodiscover/autodiscover.xml</RedirectUrl>", account_head=REDIR_HEAD),
    resp("<RedirectAddr>jane@example.net</RedirectAddr>", account_head=REDIR_HEAD))
P["redirect-target-mismatch"] = (
    resp("<RedirectAddr>jane@example.net</RedirectAddr>\n<RedirectUrl>https://autodiscover.example.net/autodiscover/autodiscover.xml</RedirectUrl>", account_head=REDIR_HEAD),
    resp("<RedirectAddr>jane@example.net</RedirectAddr>", account_head=REDIR_HEAD))
P["redirect-with-protocols"] = (resp("<RedirectAddr>jane@example.net</RedirectAddr>\n" + IMAP, account_head=REDIR_HEAD),
                                resp("<RedirectAddr>jane@example.net</RedirectAddr>", account_head=REDIR_HEAD))
URL_HEAD = "<AccountType>email</AccountType>\n<Action>redirectUrl</Action>"
P["redirect-url-not-https"] = (
    resp("<RedirectUrl>http://autodiscover.example.net/autodiscover/autodiscover.xml</RedirectUrl>", account_head=URL_HEAD),
    resp("<RedirectUrl>https://autodiscover.example.net/autodiscover/autodiscover.xml</RedirectUrl>", account_head=URL_HEAD))
ACC_ERR = '<Error Time="09:12:44.1234567" Id="2874563190">\n  <ErrorCode>500</ErrorCode>\n  <Message>The e-mail address cannot be found.</Message>\n</Error>'
P["error-with-settings"] = (resp(ACC_ERR + "\n" + IMAP), resp(ACC_ERR, account_head=""))
P["ecp-fragment-without-ecp-url"] = (
    settings(sub(EXPR_EWS, "<EwsUrl>", "<EcpUrl-um>?p=customize/voicemail.aspx</EcpUrl-um>\n<EwsUrl>")),
    settings(sub(EXPR_EWS, "<EwsUrl>", ECP + "<EcpUrl-um>?p=customize/voicemail.aspx</EcpUrl-um>\n<EwsUrl>")))
P["domain-required-without-domain"] = (
    imap_with("<LoginName>jane@example.org</LoginName>", "<LoginName>jane</LoginName>\n  <DomainRequired>on</DomainRequired>"),
    imap_with("<LoginName>jane@example.org</LoginName>", "<LoginName>EXAMPLE\\jane</LoginName>\n  <DomainRequired>on</DomainRequired>"))
P["missing-acceptable-response-schema"] = (req("<EMailAddress>jane@example.org</EMailAddress>"), GOOD_REQ)
P["wrong-acceptable-response-schema"] = (sub(GOOD_REQ, OUT_NS + "<", MRESP_NS + "<"), GOOD_REQ)
P["request-needs-one-address"] = (req(ARS), GOOD_REQ)
P["mobilesync-url-not-https"] = (mobile(MOBILE_SERVER.replace("<Name>https://eas.example.org/Microsoft-Server-ActiveSync</Name>", "<Name>TODO: ActiveSync server</Name>")),
                                 mobile(MOBILE_SERVER))

P["smtp-port-25"] = (settings(IMAP, sub(SMTP, "<SSL>on</SSL>", "<Encryption>TLS</Encryption>").replace("465", "25")),
                     settings(IMAP, sub(SMTP, "<SSL>on</SSL>", "<Encryption>TLS</Encryption>").replace("465", "587")))
P["error-code-contradicts-message"] = (error_resp(code="500").replace("Invalid Request", "Database Error"),
                                       error_resp(code="603").replace("Invalid Request", "Database Error"))
MREQ_GOOD = req(f"<EMailAddress>jane@example.org</EMailAddress>\n<AcceptableResponseSchema>{MRESP_NS}</AcceptableResponseSchema>", ns=MREQ_NS)
P["request-element-order"] = (req(f"<AcceptableResponseSchema>{MRESP_NS}</AcceptableResponseSchema>\n<EMailAddress>jane@example.org</EMailAddress>", ns=MREQ_NS), MREQ_GOOD)

P["input-too-complex"] = (imap_with("<Port>993</Port>", "<Port " + " ".join(f'x{i}="{i}"' for i in range(101)) + ">993</Port>"),
                          imap_with("<Port>993</Port>", "<Port>993</Port>"))

P["misspelt-element"] = (resp(IMAP, account_head="<AcountType>email</AcountType>\n<Action>settings</Action>"), settings(IMAP))

# The ARS whitespace case of value-whitespace applies to requests too; keep the response pair.

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "rules")
for name, (bad, ok) in P.items():
    folder = os.path.join(root, name)
    os.makedirs(folder, exist_ok=True)
    if bad is None:
        continue
    with open(os.path.join(folder, "bad.xml"), "w", encoding="utf-8", newline="\n") as f:
        f.write(bad)
    with open(os.path.join(folder, "ok.xml"), "w", encoding="utf-8", newline="\n") as f:
        f.write(ok)

# Encoding fixtures are bytes.
utf8 = settings(sub(IMAP, "jane@example.org", "jöns@example.org")).encode("utf-8")
with open(os.path.join(root, "invalid-utf8", "bad.xml"), "wb") as f:
    f.write(utf8.replace("jöns".encode("utf-8"), "jöns".encode("latin-1")))
with open(os.path.join(root, "invalid-utf8", "ok.xml"), "wb") as f:
    f.write(utf8)
with open(os.path.join(root, "not-utf8", "bad.xml"), "wb") as f:
    f.write(b"\xff\xfe" + GOOD_REQ.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16-le"))
with open(os.path.join(root, "not-utf8", "ok.xml"), "wb") as f:
    f.write(GOOD_REQ.encode("utf-8"))
print(f"{len(P)} rule fixture pairs written")
