"""`gongkai case-reminders [--today YYYY-MM-DD] [--enqueue]`: reminders to case handlers, e.g. daily from cron."""

from gongkai.cases import tasks
from gongkai.core.management.daily import DailyCommand


class Command(DailyCommand):
    help = (
        "Remind the handlers of cases whose reply is due within GONGKAI_REMINDER_DAYS days or overdue (in-app "
        "notifications; email when EMAIL_HOST is set). Safe to run more than once a day: nothing is sent twice."
    )
    task = tasks.case_reminders

    def perform(self, day):
        counts = tasks.send_case_reminders(day)
        return "{due_soon} due-soon and {overdue} overdue reminders sent".format(**counts)
