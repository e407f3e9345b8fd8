#!/usr/bin/env bash
# Regenerates the throwaway TEST-ONLY certificate authority and the emulator's certificate in this
# folder. The CA may only vouch for api.stripe.com, localhost and loopback addresses (X.509 name
# constraints), and its private key is public (committed): never trust it outside a test process.
set -euo pipefail
cd "$(dirname "$0")"
DAYS=36500 # long-lived on purpose: tests must not start failing when a certificate expires
cat > ca.cnf <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Stripe Guard TEST-ONLY CA (throwaway, key is public)
[ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
nameConstraints = critical, permitted;DNS:api.stripe.com, permitted;DNS:localhost, permitted;IP:127.0.0.0/255.0.0.0, permitted;IP:0:0:0:0:0:0:0:1/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF
CNF
cat > server.cnf <<'CNF'
[ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:api.stripe.com, DNS:localhost, IP:127.0.0.1, IP:::1
authorityKeyIdentifier = keyid
subjectKeyIdentifier = hash
CNF
openssl req -x509 -newkey rsa:2048 -nodes -days "$DAYS" -config ca.cnf -extensions ext -keyout ca.key -out ca.crt
openssl req -new -newkey rsa:2048 -nodes -subj '/CN=api.stripe.com' -keyout server.key -out server.csr
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days "$DAYS" -extfile server.cnf -extensions ext -out server.crt
rm -f ca.cnf server.cnf server.csr ca.srl
openssl verify -CAfile ca.crt server.crt
