"""Housekeeping of the embedded broker. kombu's SQLAlchemy transport never deletes a message it delivered: it
marks the row invisible, and a worker that restores unacknowledged messages writes them as new rows. Left alone,
the queue file grows by about 10 MB a day; the hourly purge deletes the delivered rows."""

from kombu import Connection
from kombu.transport import sqlalchemy as sqlalchemy_transport

from .celery import app


def delivered_broker_messages_purge(*, connection: Connection | None = None) -> int:
    """Delete the messages the SQLAlchemy transport has delivered; how many. Other transports (Redis) delete a
    message themselves once it is acknowledged: nothing to do there."""
    if connection is None:
        with app.connection_for_write() as own:
            return delivered_broker_messages_purge(connection=own)
    channel = connection.default_channel
    if not isinstance(channel, sqlalchemy_transport.Channel):
        return 0
    message = channel.message_cls
    deleted = channel.session.query(message).filter(message.visible.is_(False)).delete(synchronize_session=False)
    channel.session.commit()
    return deleted
