#!/bin/sh
# RabbitMQ in a container, as the tutorial's rabbitmq:3-management image: guest/guest may log in
# from the container network (loopback_users = none), node rabbit@localhost so that the volume
# /var/lib/rabbitmq survives a new container hostname. Runs as the unprivileged rabbitmq user.
set -eu
mkdir -p /etc/rabbitmq /var/lib/rabbitmq /var/log/rabbitmq
cat > /etc/rabbitmq/rabbitmq.conf <<CONF
loopback_users = none
listeners.tcp.default = 5672
CONF
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /var/log/rabbitmq
export RABBITMQ_NODENAME=rabbit@localhost HOME=/var/lib/rabbitmq
exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups rabbitmq-server
