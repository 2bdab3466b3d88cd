from khadamat.api.models import JobRun
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.observability import http_entry
from khadamat.usecases import dev

app = build_app()


@app.post("/_dev/jobs/<job>", summary="Run a scheduled job now", tags=[Tag.LOCAL_ONLY],
          responses={200: returns(JobRun, "What the job did")})
def run_job(job: str):
    dev.require_local_stage()
    return dev.run_job(job)


lambda_handler = http_entry(app)
