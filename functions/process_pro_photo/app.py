"""S3 ObjectCreated on the photo uploads bucket → decode, strip EXIF/GPS, JPEG renditions, record.

Locally infra/local/s3_pump.py sends the same event after an upload (moto emits none).
An exception fails the invocation: Lambda's asynchronous retries run it again (idempotent:
a photo already processed or deleted is skipped).
"""

from aws_lambda_powertools.utilities.data_classes import S3Event, event_source

from khadamat import clock
from khadamat.observability import logger, tracer
from khadamat.usecases import photos


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context):
    clock.begin_invocation()
    outcomes = [photos.process_upload(record.s3.bucket.name, record.s3.get_object.key, clock.now())
                for record in event.records]
    logger.info("photo uploads processed", extra={"outcomes": outcomes})
    return {"outcomes": outcomes}
