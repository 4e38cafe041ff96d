package extract

import "flowsift/extract/decode"

// portGuess names the application protocol usually found on a responder
// port. It is only a guess, written with app_proto_source = "port".
func portGuess(proto uint8, port uint16) string {
	switch proto {
	case decode.ProtoTCP:
		return tcpPorts[port]
	case decode.ProtoUDP:
		return udpPorts[port]
	}
	return ""
}

var tcpPorts = map[uint16]string{
	20: "FTP-DATA", 21: "FTP", 22: "SSH", 23: "TELNET", 25: "SMTP", 53: "DNS", 80: "HTTP",
	88: "KERBEROS", 110: "POP3", 111: "RPCBIND", 119: "NNTP", 135: "DCERPC", 139: "NETBIOS",
	143: "IMAP", 179: "BGP", 389: "LDAP", 443: "TLS", 445: "SMB", 465: "SMTPS", 502: "MODBUS",
	514: "SYSLOG", 587: "SMTP", 631: "IPP", 636: "LDAPS", 853: "DOT", 873: "RSYNC", 993: "IMAPS",
	995: "POP3S", 1080: "SOCKS", 1433: "MSSQL", 1521: "ORACLE", 1723: "PPTP", 1883: "MQTT",
	2049: "NFS", 2375: "DOCKER", 3128: "HTTP-PROXY", 3306: "MYSQL", 3389: "RDP", 5060: "SIP",
	5222: "XMPP", 5432: "POSTGRESQL", 5671: "AMQPS", 5672: "AMQP", 5900: "VNC", 5985: "WINRM",
	5986: "WINRM", 6379: "REDIS", 6443: "TLS", 6667: "IRC", 8000: "HTTP", 8080: "HTTP",
	8443: "TLS", 8883: "MQTTS", 8888: "HTTP", 9200: "ELASTICSEARCH", 11211: "MEMCACHED",
	27017: "MONGODB",
}

var udpPorts = map[uint16]string{
	53: "DNS", 67: "DHCP", 68: "DHCP", 69: "TFTP", 88: "KERBEROS", 123: "NTP", 137: "NETBIOS-NS",
	138: "NETBIOS-DGM", 161: "SNMP", 162: "SNMP", 389: "CLDAP", 443: "QUIC", 500: "ISAKMP",
	514: "SYSLOG", 520: "RIP", 1194: "OPENVPN", 1900: "SSDP", 3478: "STUN", 3702: "WS-DISCOVERY",
	4500: "IPSEC-NAT-T", 4789: "VXLAN", 5060: "SIP", 5353: "MDNS", 5355: "LLMNR", 6081: "GENEVE",
	11211: "MEMCACHED", 47808: "BACNET", 51820: "WIREGUARD", 2152: "GTP-U", 19: "CHARGEN",
	17: "QOTD", 111: "RPCBIND", 1434: "MSSQL-BROWSER", 10001: "UBIQUITI",
}
