#!/bin/sh
# Regenerates the test certificates (valid for 100 years): a CA, a server
# certificate for 127.0.0.1, ::1 and localhost, a client certificate from
# the same CA, and a client certificate from another CA (refused).
# Needs openssl. Run from this directory.
set -e
mk_ca () {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$1-key.pem" -out "$1.pem" -days 36500 -subj "/CN=$2" \
    -config san.cnf -extensions ca
}
mk_cert () {
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$1-key.pem" -out "$1.csr" -subj "/CN=$3" -config san.cnf
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2-key.pem" -CAcreateserial \
    -out "$1.pem" -days 36500 -extfile san.cnf -extensions "$4"
  rm "$1.csr"
}
mk_ca ca "janus-c test CA"
mk_ca rogue-ca "another CA"
mk_cert server ca "janus-c test server" server
mk_cert client ca "janus-c test client" client
mk_cert rogue-client rogue-ca "rogue client" client
rm -f ./*.srl ca-key.pem rogue-ca-key.pem
