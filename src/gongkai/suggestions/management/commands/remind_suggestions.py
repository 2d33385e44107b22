"""`gongkai remind-suggestions [--today YYYY-MM-DD] [--enqueue]`: digest of overdue first answers, e.g. daily."""

from gongkai.core.management.daily import DailyCommand
from gongkai.suggestions import suggestion_tasks


class Command(DailyCommand):
    help = (
        "Send the union and the leading group a digest of the suggestions of their units whose first answer is "
        "overdue (in-app notifications; email when EMAIL_HOST is set). Safe to run more than once a day: a digest "
        "goes out again only when a suggestion newly became overdue."
    )
    task = suggestion_tasks.remind_suggestions

    def perform(self, day):
        counts = suggestion_tasks.send_overdue_reminders(day)
        return "{overdue} overdue digests sent".format(**counts)
