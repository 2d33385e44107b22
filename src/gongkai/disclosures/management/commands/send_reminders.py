"""`gongkai send-reminders [--today YYYY-MM-DD] [--enqueue]`: reminders and escalations, e.g. daily from cron."""

from gongkai.core.management.daily import DailyCommand
from gongkai.disclosures import reminders, tasks


class Command(DailyCommand):
    help = (
        "Remind responsible people of the disclosures due within GONGKAI_REMINDER_DAYS days and escalate the "
        "overdue ones to the leading groups (in-app notifications; email when EMAIL_HOST is set). Safe to run "
        "more than once a day: nothing is sent twice."
    )
    task = tasks.send_reminders

    def perform(self, day):
        counts = reminders.send_reminders(day)
        return "{reminded} reminders and {escalated} escalations sent".format(**counts)
