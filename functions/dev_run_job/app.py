from khadamat.api.models import JobRun
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import dev

app = build_app()


@app.post("/_dev/jobs/<job>", summary="Run a scheduled job now", tags=[Tag.LOCAL_ONLY],
          responses={200: returns(JobRun, "What the job did")})
def run_job():
    dev.require_local_stage()
    job = path_value(app)  # template.yaml names the path parameter
    from khadamat.jobs.registry import run_job as run  # every job module: only on the local stage

    return run(job)


lambda_handler = http_entry(app)
